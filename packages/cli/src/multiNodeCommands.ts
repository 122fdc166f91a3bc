/**
 * Runs `tug control-plane`, `tug node` or `tug token` (each loaded only when named); `undefined`
 * for any other command, which `main` handles.
 */
export async function multiNodeCommand(
  command: string | undefined,
  args: string[],
): Promise<number | undefined> {
  switch (command ?? '') {
    case 'control-plane':
      return (await import('./controlPlaneCommand.js')).controlPlaneCommand(args);
    case 'node':
      return (await import('./nodeCommand.js')).nodeCommand(args);
    case 'token':
      return (await import('./tokenCommand.js')).tokenCommand(args);
    default:
      return undefined;
  }
}
