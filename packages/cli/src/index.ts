export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './startControlPlane.js';
