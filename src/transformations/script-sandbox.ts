import { newQuickJSWASMModule, shouldInterruptAfterDeadline, type QuickJSWASMModule } from 'quickjs-emscripten';
import { ApiError } from '../platform/errors.ts';

const TIME_LIMIT_MS = 200;
const MEMORY_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * Runs transformation scripts in QuickJS compiled to WebAssembly: a separate JavaScript engine
 * with no access to Node, the file system, the network or other tenants' data. Each run gets a
 * fresh runtime with a memory cap and a deadline; objects cross the boundary only as JSON.
 * The script sees `transformedObject` and `originalObject` and must call `done(obj)`. The
 * WebAssembly module is loaded on the first run and shared by the runs of this sandbox.
 */
export class ScriptSandbox {
  #module: Promise<QuickJSWASMModule> | undefined;

  run(name: string, body: string, transformed: unknown, original: unknown): Promise<unknown> {
    this.#module ??= newQuickJSWASMModule();
    return runScript(this.#module, name, body, transformed, original);
  }
}

async function runScript(module: Promise<QuickJSWASMModule>, name: string, body: string, transformed: unknown, original: unknown): Promise<unknown> {
  const runtime = (await module).newRuntime();
  runtime.setMemoryLimit(MEMORY_LIMIT_BYTES);
  runtime.setMaxStackSize(512 * 1024);
  runtime.setInterruptHandler(shouldInterruptAfterDeadline(Date.now() + TIME_LIMIT_MS));
  const vm = runtime.newContext();
  let result: unknown;
  let called = false;
  try {
    const done = vm.newFunction('done', (handle) => {
      called = true;
      result = vm.dump(handle);
    });
    vm.setProp(vm.global, 'done', done);
    done.dispose();
    const input = JSON.stringify({ transformedObject: transformed ?? null, originalObject: original ?? null });
    const code = `const { transformedObject, originalObject } = JSON.parse(${JSON.stringify(input)});\n${body}\n`;
    const outcome = vm.evalCode(code, `transformation ${name}`);
    if (outcome.error) {
      const error = vm.dump(outcome.error) as { message?: string; name?: string } | string;
      outcome.error.dispose();
      const message = typeof error === 'string' ? error : `${error?.name ?? 'Error'}: ${error?.message ?? 'unknown'}`;
      const interrupted = /interrupted/i.test(message);
      const memory = /out of memory/i.test(message);
      throw new ApiError(
        'TRANSFORMATION_SCRIPT_FAILED',
        `The script of transformation ${name} ${interrupted ? `ran longer than ${TIME_LIMIT_MS} ms` : memory ? 'used more than its memory limit' : `failed: ${message}`}`,
      );
    }
    outcome.value.dispose();
    if (!called) throw new ApiError('TRANSFORMATION_SCRIPT_FAILED', `The script of transformation ${name} ended without calling done(transformedObject)`);
    return result;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError('TRANSFORMATION_SCRIPT_FAILED', `The script of transformation ${name} failed: ${(err as Error).message}`);
  } finally {
    vm.dispose();
    runtime.dispose();
  }
}
