/* The metrics.k8s.io API (area H: metrics). */
export { goDuration } from './goDuration.js';
export { KubeletSummarySource, type KubeletSummarySourceOptions } from './KubeletSummarySource.js';
export { MetricsApi, serveMetricsApi } from './MetricsApi.js';
export { MetricsSource, type ContainerUsage, type NodeUsage, type PodUsage } from './MetricsSource.js';
export {
  metricsResources,
  type ContainerMetrics,
  type NodeMetrics,
  type PodMetrics,
  type ResourceUsage,
} from './metricsResources.js';
export { summaryUsage, type CpuReading, type SummaryFigures, type SummaryUsage } from './summaryUsage.js';
