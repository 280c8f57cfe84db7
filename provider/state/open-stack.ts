/**
 * A stack the commands read through the Automation API (the `pulumi` on PATH, in the current
 * directory): its config, for the same settings the provider sees, and its exported state.
 */
import { LocalWorkspace } from "@pulumi/pulumi/automation";

export interface StackAccess {
  /** The stack's config by full key (`intune:clientId`); secrets come decrypted. */
  config: (key: string) => string | undefined;
  /** `pulumi stack export`. */
  exportState(): Promise<unknown>;
}

export async function openStack(name: string): Promise<StackAccess> {
  const workspace = await LocalWorkspace.create({ workDir: process.cwd() });
  const stackConfig = await workspace.getAllConfig(name);
  return {
    config: (key) => stackConfig[key]?.value,
    exportState: () => workspace.exportStack(name),
  };
}
