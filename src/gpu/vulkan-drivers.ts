/**
 * Linux: whether the Vulkan loader may have a driver to load (Khronos Vulkan-Loader,
 * docs/LoaderDriverInterface.md, "Driver Discovery on Linux": manifests named by VK_DRIVER_FILES,
 * VK_ICD_FILENAMES or VK_ADD_DRIVER_FILES, else *.json in vulkan/icd.d under the XDG config and data
 * folders and the build's system folders). Without one, dawn.node only prints native warnings (with
 * C++ source locations) and finds no adapter, so the GPU is not tried and the notice says why. The
 * search is deliberately wider than any one loader's: every variable, every XDG value with its
 * default, the usual system prefixes and NixOS's driver folder; anything it misses is reached by
 * asking for the GPU explicitly (CAPSEAL_GPU_ADAPTER=default, src/gpu/node.ts).
 *
 * @module
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ICD_DIR = join('vulkan', 'icd.d');
export const SYSTEM_DIRS: readonly string[] = ['/etc/xdg', '/etc', '/usr/local/etc', '/usr/local/share', '/usr/share', '/run/opengl-driver/share'];

/** A colon-separated list; an unset or empty variable is no list (as XDG says of empty values). */
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

/** Every file and folder a Vulkan loader might read driver manifests from. */
export function driverSearchPaths(env: NodeJS.ProcessEnv, home: string, systemDirs: readonly string[] = SYSTEM_DIRS): string[] {
  const named = ['VK_DRIVER_FILES', 'VK_ICD_FILENAMES', 'VK_ADD_DRIVER_FILES'].flatMap((v) => list(env[v]));
  const homes = [list(env['XDG_CONFIG_HOME'])[0] ?? join(home, '.config'), list(env['XDG_DATA_HOME'])[0] ?? join(home, '.local', 'share')];
  const dirs = [...homes, ...list(env['XDG_CONFIG_DIRS']), ...list(env['XDG_DATA_DIRS']), ...systemDirs];
  return [...named, ...dirs.map((d) => join(d, ICD_DIR))];
}

/** Whether any file or folder a loader might read holds a driver manifest. */
export const vulkanDriverFound = (env: NodeJS.ProcessEnv, home: string, systemDirs: readonly string[] = SYSTEM_DIRS): boolean =>
  driverSearchPaths(env, home, systemDirs).some(hasManifest);
