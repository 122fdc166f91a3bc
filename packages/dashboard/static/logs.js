/* global setTimeout */
import { apiFetch } from './collection.js';
import { byId, el } from './dom.js';

/** @typedef {import('kubernetes-types/core/v1').Pod} Pod */

const tailLines = 500;

/**
 * The text at `url`, tried again after a network failure (a browser aborts requests when the
 * machine's interfaces change); an answer from the server is final.
 * @param {URL} url
 * @returns {Promise<string>}
 */
async function fetchText(url) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await (await apiFetch(url)).text();
    } catch (err) {
      if (!(err instanceof TypeError) || attempt === 3) throw err;
      await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
    }
  }
}

/**
 * The log panel: shows the last lines of one container of a pod, with a choice of container and
 * a refresh. Only one pod is shown at a time; a slower answer for an earlier choice is dropped.
 */
export class LogPanel {
  #panel = byId('logs', HTMLElement);
  #title = byId('logs-title', HTMLElement);
  #container = byId('logs-container', HTMLSelectElement);
  #text = byId('logs-text', HTMLElement);
  /** @type {{ namespace: string, name: string } | undefined} */
  #pod = undefined;
  #request = 0;

  /** @param {URL} apiBase the server's root, which `api/v1/…` is relative to */
  constructor(apiBase) {
    this.apiBase = apiBase;
    this.#container.addEventListener('change', () => void this.refresh());
    byId('logs-refresh', HTMLButtonElement).addEventListener('click', () => void this.refresh());
    byId('logs-close', HTMLButtonElement).addEventListener('click', () => {
      this.close();
    });
  }

  /**
   * Opens the panel on a pod, on its first container.
   * @param {Pod} pod
   */
  show(pod) {
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    this.#pod = { namespace, name };
    this.#title.textContent = `Logs of ${namespace}/${name}`;
    const options = [
      ...(pod.spec?.initContainers ?? []).map((c) => el('option', { value: c.name }, `${c.name} (init)`)),
      ...(pod.spec?.containers ?? []).map((c) => el('option', { value: c.name }, c.name)),
    ];
    this.#container.replaceChildren(...options);
    const first = pod.spec?.containers[0]?.name;
    if (first !== undefined) this.#container.value = first;
    this.#panel.hidden = false;
    void this.refresh();
  }

  close() {
    this.#pod = undefined;
    this.#request++;
    this.#panel.hidden = true;
  }

  /** Fetches the chosen container's last lines again. */
  async refresh() {
    const pod = this.#pod;
    if (pod === undefined) return;
    const request = ++this.#request;
    const path = `api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/log`;
    const url = new URL(path, this.apiBase);
    url.searchParams.set('container', this.#container.value);
    url.searchParams.set('tailLines', String(tailLines));
    this.#text.classList.add('loading');
    let text;
    try {
      text = await fetchText(url);
      if (text === '') text = '(no output yet)';
    } catch (err) {
      text = `Cannot read the logs: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (request !== this.#request) return;
    this.#text.classList.remove('loading');
    this.#text.textContent = text;
  }
}
