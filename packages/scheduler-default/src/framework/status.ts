import type { PluginStatus, StatusCode } from '@tugboat/core';

/** The shared success value: filters return it without allocating. */
export const success: PluginStatus = Object.freeze({ code: 'Success', reasons: Object.freeze([]) });

/** The shared skip value. */
export const skip: PluginStatus = Object.freeze({ code: 'Skip', reasons: Object.freeze([]) });

/** A status with one reason; statuses with fixed reasons are best made once per plugin. */
export function statusOf(code: StatusCode, ...reasons: string[]): PluginStatus {
  return Object.freeze({ code, reasons });
}

/** The status with the failing plugin's name attached. */
export function withPlugin(status: PluginStatus, plugin: string): PluginStatus {
  return status.plugin === plugin ? status : { ...status, plugin };
}
