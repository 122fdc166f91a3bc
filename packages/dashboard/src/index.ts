/**
 * @tugboat/dashboard: the web page the API server serves at `/ui` — nodes, pods, deployments,
 * services and events of the cluster, live through watch, and a pod's logs.
 */
export { Dashboard, dashboardContentSecurityPolicy } from './Dashboard.js';
export { dashboardModule } from './module.js';
