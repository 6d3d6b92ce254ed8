// Linux: whether the Vulkan loader has a driver to load, by its discovery rules (Khronos
// Vulkan-Loader, docs/LoaderDriverInterface.md, "Driver Discovery on Linux"): VK_DRIVER_FILES (or the
// older VK_ICD_FILENAMES) names manifests or folders and replaces the search, VK_ADD_DRIVER_FILES
// adds to it; otherwise *.json manifests in vulkan/icd.d under the XDG config and data folders and
// /etc. Without any, dawn.node would only print native warnings (with C++ source locations) and
// find no adapter, so the GPU is not tried and the notice says why. The search here is a superset
// of the loader's (defaults are searched besides the XDG variables), so a driver it finds is never
// missed.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ICD_DIR = join('vulkan', 'icd.d');

const list = (v: string | undefined): string[] => (v ?? '').split(':').filter((p) => p !== '');

/** A manifest file, or a folder holding at least one *.json manifest. */
function hasManifest(path: string): boolean {
  try {
    if (statSync(path).isFile()) return true;
    return readdirSync(path).some((f) => f.endsWith('.json'));
  } catch {
    return false;
  }
}

/** The folders the loader searches for driver manifests, given the environment and the home folder. */
export function driverSearchPaths(env: NodeJS.ProcessEnv, home: string): string[] {
  const forced = list(env['VK_DRIVER_FILES'] ?? env['VK_ICD_FILENAMES']);
  if (forced.length) return [...forced, ...list(env['VK_ADD_DRIVER_FILES'])];
  const config = [env['XDG_CONFIG_HOME'] ?? join(home, '.config'), ...list(env['XDG_CONFIG_DIRS']), '/etc/xdg', '/etc', '/usr/local/etc'];
  const data = [env['XDG_DATA_HOME'] ?? join(home, '.local', 'share'), ...list(env['XDG_DATA_DIRS']), '/usr/local/share', '/usr/share'];
  return [...list(env['VK_ADD_DRIVER_FILES']), ...[...config, ...data].map((d) => join(d, ICD_DIR))];
}

/** Whether any folder or file the loader would read holds a driver manifest. */
export const vulkanDriverFound = (env: NodeJS.ProcessEnv, home: string): boolean => driverSearchPaths(env, home).some(hasManifest);
