/* global addEventListener, document, location, history, setInterval */
import { Collection } from './collection.js';
import { views } from './columns.js';
import { byId, el } from './dom.js';
import { LogPanel } from './logs.js';

/**
 * @typedef {import('./collection.js').KubeObject} KubeObject
 * @typedef {import('./columns.js').View<any>} AnyView
 */

// The page lives at `<server>/ui/`: the API is one level up, whatever prefix a proxy adds.
const apiBase = new URL('../', document.baseURI);
const namespaceSelect = byId('namespace', HTMLSelectElement);
const connection = byId('connection', HTMLElement);
const main = byId('views', HTMLElement);
const logs = new LogPanel(apiBase);

/** @type {string} the namespace shown, `''` for all */
let namespace = new URLSearchParams(location.search).get('namespace') ?? '';

/**
 * One table on the page and the collection that feeds it.
 * @typedef {object} Table
 * @property {AnyView} view
 * @property {HTMLElement} section
 * @property {HTMLElement} count
 * @property {HTMLElement} error
 * @property {HTMLTableSectionElement} head
 * @property {HTMLTableSectionElement} body
 * @property {Collection<KubeObject> | undefined} collection
 */

/** @param {AnyView} view @returns {Table} */
function mount(view) {
  const count = el('span', { class: 'count' });
  const error = el('p', { class: 'error', role: 'alert' });
  error.hidden = true;
  const head = el('thead');
  const body = el('tbody');
  const section = el(
    'section',
    { id: view.id },
    el('h2', {}, view.title, ' ', count),
    error,
    el('table', {}, head, body),
  );
  section.hidden = true;
  main.append(section);
  return { view, section, count, error, head, body, collection: undefined };
}

const tables = views.map((view) => mount(/** @type {AnyView} */ (view)));

/** @param {Table} table */
function collectionUrl(table) {
  const { view } = table;
  const scope = view.namespaced && namespace !== '' ? `namespaces/${encodeURIComponent(namespace)}/` : '';
  return new URL(`${view.group}/${scope}${view.plural}`, apiBase);
}

/** @param {Table} table */
function render(table) {
  const { view, collection } = table;
  if (collection === undefined) return;
  const now = Date.now();
  const allNamespaces = view.namespaced && namespace === '';
  table.head.replaceChildren(
    el('tr', {}, ...(allNamespaces ? ['Namespace'] : []).concat(view.headers).map((h) => el('th', {}, h))),
  );
  const byName = (/** @type {KubeObject} */ a, /** @type {KubeObject} */ b) =>
    `${a.metadata?.namespace ?? ''}/${a.metadata?.name ?? ''}`.localeCompare(
      `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`,
    );
  const objects = [...collection.items.values()].sort(view.order ?? byName).slice(0, view.limit);
  const rows = objects.map((object) => {
    const cells = view.row(object, now);
    if (allNamespaces) cells.unshift(object.metadata?.namespace ?? '');
    const row = el('tr', {}, ...cells.map((text) => el('td', {}, text)));
    if (view.troubled?.(object)) row.classList.add('troubled');
    row.dataset['name'] = object.metadata?.name ?? '';
    row.dataset['namespace'] = object.metadata?.namespace ?? '';
    if (view.id === 'pods') {
      row.tabIndex = 0;
      row.classList.add('clickable');
      row.title = 'Show the logs';
      row.addEventListener('click', () => {
        logs.show(object);
      });
      row.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') logs.show(object);
      });
    }
    return row;
  });
  if (rows.length === 0 && collection.synced) {
    const where = view.namespaced && namespace !== '' ? ` in ${namespace}` : '';
    const cell = el('td', { class: 'empty' }, `No ${view.plural}${where}`);
    cell.colSpan = view.headers.length + (allNamespaces ? 1 : 0);
    rows.push(el('tr', {}, cell));
  }
  table.body.replaceChildren(...rows);
  table.count.textContent = collection.synced ? `(${collection.items.size})` : '(loading)';
  table.error.hidden = collection.error === undefined;
  table.error.textContent = collection.error ?? '';
  const failing = collection.error !== undefined;
  connection.textContent = failing ? 'Reconnecting…' : 'Live';
  connection.classList.toggle('failing', failing);
}

/**
 * Shows one table and watches only its collection: a browser opens at most six connections to a
 * server over HTTP/1.1 (what `kubectl proxy` speaks), and every watch holds one open.
 * @param {Table} table
 */
function start(table) {
  table.collection?.stop();
  table.collection = new Collection(collectionUrl(table), () => {
    render(table);
  });
  render(table);
}

/** Shows the table the location's hash names (`#pods` by default), and stops watching the others. */
function showTabFromHash() {
  const wanted =
    tables.find((t) => `#${t.view.id}` === location.hash) ?? tables.find((t) => t.view.id === 'pods');
  for (const table of tables) {
    const active = table === wanted;
    table.section.hidden = !active;
    byId(`tab-${table.view.id}`, HTMLAnchorElement).classList.toggle('active', active);
    if (active && table.collection === undefined) start(table);
    if (!active) {
      table.collection?.stop();
      table.collection = undefined;
    }
  }
}

/** Keeps the namespace choice in step with the cluster's namespaces. */
const namespaces = new Collection(new URL('api/v1/namespaces', apiBase), () => {
  const names = [...namespaces.items.values()].map((n) => n.metadata?.name ?? '').sort();
  if (namespace !== '' && !names.includes(namespace)) names.unshift(namespace);
  namespaceSelect.replaceChildren(
    el('option', { value: '' }, 'All namespaces'),
    ...names.map((name) => el('option', { value: name }, name)),
  );
  namespaceSelect.value = namespace;
});

namespaceSelect.addEventListener('change', () => {
  namespace = namespaceSelect.value;
  const url = new URL(location.href);
  if (namespace === '') url.searchParams.delete('namespace');
  else url.searchParams.set('namespace', namespace);
  history.replaceState(null, '', url);
  for (const table of tables) if (table.collection !== undefined && table.view.namespaced) start(table);
});

namespaceSelect.replaceChildren(
  el('option', { value: '' }, 'All namespaces'),
  ...(namespace !== '' ? [el('option', { value: namespace }, namespace)] : []),
);
namespaceSelect.value = namespace;
addEventListener('hashchange', showTabFromHash);
showTabFromHash();
// Ages move on without any event.
setInterval(() => {
  for (const table of tables) if (table.collection !== undefined) render(table);
}, 5000);
