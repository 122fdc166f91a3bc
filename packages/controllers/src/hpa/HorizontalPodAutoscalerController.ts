import {
  ApiClient,
  controller,
  EventRecorder,
  Logger,
  parseApiVersion,
  parseLabelSelector,
  realClock,
  resources,
  setCondition,
  SharedInformerFactory,
  type autoscalingv2,
  type Clock,
  type corev1,
  type Informer,
  type metav1,
  type ReconcileRequest,
  type ReconcileResult,
  type Reconciler,
  type ResourceRef,
  metaTime,
} from '@tugboat/core';
import { inject, injectable, optional } from 'inversify';

import { HpaOptions } from './HpaOptions.js';
import { metricReplicas } from './metricReplicas.js';
import type { CalculatorSettings } from './replicaCalculator.js';
import { ScaleNormalizer } from './ScaleNormalizer.js';
import { scaleTargetResource } from './scaleTargets.js';

const { HorizontalPodAutoscalers, Pods } = resources;
type Hpa = autoscalingv2.HorizontalPodAutoscaler;
type Condition = autoscalingv2.HorizontalPodAutoscalerCondition;

/** The `autoscaling/v1 Scale` the scale subresource serves. */
interface Scale {
  apiVersion?: string;
  kind?: string;
  metadata?: metav1.ObjectMeta;
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

/** What the metrics call for: a count and why, or an error that stops this round. */
type MetricsOutcome =
  | { readonly replicas: number; readonly metric: string; readonly statuses: autoscalingv2.MetricStatus[] }
  | { readonly error: string; readonly statuses: autoscalingv2.MetricStatus[] };

/**
 * The HorizontalPodAutoscaler controller (autoscaling/v2), as upstream's: every sync period it
 * reads the target's `scale` subresource, computes a replica count per metric from the
 * `metrics.k8s.io` API (Resource metrics: cpu and memory, by utilization of requests or average
 * value) with a 10% tolerance, takes the largest, stabilizes and rate-limits it (`behavior`, or
 * the legacy rules without it), clamps it to min/max, rescales, and reports status, the
 * AbleToScale / ScalingActive / ScalingLimited conditions and events as upstream does.
 */
@controller({ name: 'horizontalpodautoscaler', for: HorizontalPodAutoscalers })
@injectable()
export class HorizontalPodAutoscalerController implements Reconciler {
  private readonly hpas: Informer<Hpa>;
  private readonly pods: Informer<corev1.Pod>;
  private readonly recorder: EventRecorder;
  private readonly clock: Clock;
  private readonly normalizer: ScaleNormalizer;
  private readonly syncMs: number;

  constructor(
    @inject(ApiClient) private readonly api: ApiClient,
    @inject(SharedInformerFactory) informers: SharedInformerFactory,
    @inject(Logger) logger: Logger,
    @inject(HpaOptions) @optional() private readonly options: HpaOptions = {},
  ) {
    this.hpas = informers.informerFor(HorizontalPodAutoscalers);
    this.pods = informers.informerFor(Pods);
    this.clock = options.clock ?? realClock;
    this.syncMs = options.syncPeriodMs ?? 15_000;
    this.normalizer = new ScaleNormalizer(options.downscaleStabilizationMs ?? 300_000);
    this.recorder = new EventRecorder(api, logger, {
      component: 'horizontal-pod-autoscaler',
      clock: this.clock,
    });
  }

  async reconcile({ namespace = '', name }: ReconcileRequest): Promise<ReconcileResult> {
    const key = `${namespace}/${name}`;
    const cached = this.hpas.cache.get(name, namespace);
    if (cached === undefined) {
      this.normalizer.forget(key);
      return {};
    }
    await this.autoscale(structuredClone(cached), key);
    return { requeueAfter: this.syncMs };
  }

  private async autoscale(hpa: Hpa, key: string): Promise<void> {
    const now = this.clock.now();
    const status: autoscalingv2.HorizontalPodAutoscalerStatus = structuredClone(
      hpa.status ?? { desiredReplicas: 0 },
    );
    const condition = (type: string, value: 'True' | 'False', reason: string, message: string): void => {
      const next: Condition = { type, status: value, reason, message };
      status.conditions = setCondition(status.conditions, next, new Date(now));
    };
    const namespace = hpa.metadata?.namespace ?? '';
    const ref = hpa.spec?.scaleTargetRef;
    let target: ResourceRef | undefined;
    let scale: Scale | undefined;
    let failure = '';
    try {
      target = scaleTargetResource(parseApiVersion(ref?.apiVersion ?? '').group, ref?.kind ?? '');
      if (target === undefined) {
        failure = `unable to determine resource for scale target reference: no matches for kind "${ref?.kind ?? ''}" in group "${parseApiVersion(ref?.apiVersion ?? '').group}"`;
      } else {
        scale = await this.api.getSubresource<Scale>(target, ref?.name ?? '', 'scale', { namespace });
      }
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
    if (target === undefined || scale === undefined) {
      this.recorder.event(hpa, 'Warning', 'FailedGetScale', failure);
      condition(
        'AbleToScale',
        'False',
        'FailedGetScale',
        `the HPA controller was unable to get the target's current scale: ${failure}`,
      );
      await this.writeStatus(hpa, status);
      return;
    }
    condition(
      'AbleToScale',
      'True',
      'SucceededGetScale',
      "the HPA controller was able to get the target's current scale",
    );
    const current = scale.spec?.replicas ?? 0;
    this.normalizer.recordInitial(key, current, now);
    const minReplicas = hpa.spec?.minReplicas ?? 1;
    const maxReplicas = hpa.spec?.maxReplicas ?? current;
    let desired = 0;
    let reason = '';
    let rescale = true;
    let statuses: autoscalingv2.MetricStatus[] = status.currentMetrics ?? [];
    if (current === 0 && minReplicas !== 0) {
      rescale = false;
      condition(
        'ScalingActive',
        'False',
        'ScalingDisabled',
        'scaling is disabled since the replica count of the target is zero',
      );
    } else if (current > maxReplicas) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = maxReplicas;
    } else if (current < minReplicas) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = minReplicas;
    } else {
      const outcome = await this.fromMetrics(hpa, scale, current, now, condition);
      statuses = outcome.statuses;
      if ('error' in outcome) {
        status.currentReplicas = current;
        status.currentMetrics = statuses;
        this.recorder.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', outcome.error);
        await this.writeStatus(hpa, status);
        return;
      }
      desired = outcome.replicas;
      if (desired > current) reason = `${outcome.metric} above target`;
      if (desired < current) reason = 'All metrics below target';
      const normalized = this.normalizer.normalize({
        key,
        behavior: hpa.spec?.behavior,
        currentReplicas: current,
        desiredReplicas: desired,
        minReplicas,
        maxReplicas,
        nowMs: now,
      });
      condition(
        'AbleToScale',
        normalized.ableToScale.status,
        normalized.ableToScale.reason,
        normalized.ableToScale.message,
      );
      const limited = normalized.scalingLimited;
      condition('ScalingLimited', limited.status, limited.reason, limited.message);
      desired = normalized.replicas;
      rescale = desired !== current;
    }
    if (rescale) {
      try {
        await this.api.updateSubresource(
          target,
          ref?.name ?? '',
          'scale',
          { ...scale, spec: { ...scale.spec, replicas: desired } },
          { namespace },
        );
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.recorder.event(
          hpa,
          'Warning',
          'FailedRescale',
          `New size: ${desired}; reason: ${reason}; error: ${message}`,
        );
        condition(
          'AbleToScale',
          'False',
          'FailedUpdateScale',
          `the HPA controller was unable to update the target scale: ${message}`,
        );
        status.currentReplicas = current;
        status.currentMetrics = statuses;
        await this.writeStatus(hpa, status);
        return;
      }
      condition(
        'AbleToScale',
        'True',
        'SucceededRescale',
        `the HPA controller was able to update the target scale to ${desired}`,
      );
      this.recorder.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      this.normalizer.recordScale(key, hpa.spec?.behavior, current, desired, now);
      status.lastScaleTime = metaTime(now);
    } else {
      desired = current;
    }
    status.currentReplicas = current;
    status.desiredReplicas = desired;
    status.currentMetrics = statuses;
    await this.writeStatus(hpa, status);
  }

  /** Upstream's `computeReplicasForMetrics`: the largest proposal, or the first failure. */
  private async fromMetrics(
    hpa: Hpa,
    scale: Scale,
    specReplicas: number,
    now: number,
    condition: (type: string, value: 'True' | 'False', reason: string, message: string) => void,
  ): Promise<MetricsOutcome> {
    const selector = scale.status?.selector ?? '';
    let matches: (labels: Record<string, string> | undefined) => boolean;
    try {
      if (selector === '') throw new Error('selector is required');
      const parsed = parseLabelSelector(selector);
      matches = (labels) => parsed.matches(labels);
    } catch (err) {
      const missing = selector === '';
      const message = missing
        ? 'selector is required'
        : `couldn't convert selector into a corresponding internal selector object: ${String(err)}`;
      this.recorder.event(hpa, 'Warning', missing ? 'SelectorRequired' : 'InvalidSelector', message);
      condition(
        'ScalingActive',
        'False',
        'InvalidSelector',
        missing ? "the HPA target's scale is missing a selector" : message,
      );
      return { error: message, statuses: [] };
    }
    const namespace = hpa.metadata?.namespace ?? '';
    const pods = this.pods.cache.list(namespace).filter((p) => matches(p.metadata?.labels));
    const settings: CalculatorSettings = {
      tolerance: this.options.tolerance ?? 0.1,
      cpuInitializationPeriodMs: this.options.cpuInitializationPeriodMs ?? 300_000,
      delayOfInitialReadinessStatusMs: this.options.initialReadinessDelayMs ?? 30_000,
      nowMs: now,
    };
    const specs = hpa.spec?.metrics ?? [];
    const statuses: autoscalingv2.MetricStatus[] = [];
    let replicas = 0;
    let metric = '';
    let invalid = 0;
    let firstError: { reason: string; error: string } | undefined;
    for (const spec of specs) {
      const p = await metricReplicas(spec, {
        api: this.api,
        namespace,
        selector,
        pods,
        specReplicas,
        settings,
      });
      if ('error' in p) {
        invalid++;
        firstError ??= p;
        this.recorder.event(hpa, 'Warning', p.reason, p.error);
        continue;
      }
      statuses.push(p.status);
      if (replicas === 0 || p.replicas > replicas) {
        replicas = p.replicas;
        metric = p.name;
      }
    }
    // All metrics failed, or some did and the rest would scale down: do nothing this round.
    if (firstError !== undefined && (invalid >= specs.length || replicas < specReplicas)) {
      condition(
        'ScalingActive',
        'False',
        firstError.reason,
        `the HPA was unable to compute the replica count: ${firstError.error}`,
      );
      return {
        error: `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError.error}`,
        statuses,
      };
    }
    condition(
      'ScalingActive',
      'True',
      'ValidMetricFound',
      `the HPA was able to successfully calculate a replica count from ${metric}`,
    );
    return { replicas, metric, statuses };
  }

  /** Writes the status when it changed; a conflict requeues through the work queue. */
  private async writeStatus(hpa: Hpa, status: autoscalingv2.HorizontalPodAutoscalerStatus): Promise<void> {
    if (JSON.stringify(status) === JSON.stringify(hpa.status ?? {})) return;
    await this.api.updateStatus(HorizontalPodAutoscalers, { ...hpa, status });
  }
}
