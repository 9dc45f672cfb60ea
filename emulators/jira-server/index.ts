export { Emulator, type EmulatorOptions } from './emulator.ts';
export { startJiraEmulator, buildEmulatorApp, type RunningEmulator, CONTROL_PREFIX } from './server.ts';
export { profileFor, DEFAULT_VERSION } from './profiles.ts';
