import { createRequire } from 'node:module';
import type { Ajv, Options, ValidateFunction } from 'ajv';
import { openConnectorsContracts, type ContractName } from '../contracts/open-connectors.ts';

// ajv is CommonJS; loading it through require sidesteps its default-export typing under NodeNext.
const AjvClass = createRequire(import.meta.url)('ajv').default as new (options: Options) => Ajv;

const validators = new Map<ContractName, ValidateFunction>();
let ajv: Ajv | undefined;

function validatorFor(name: ContractName): ValidateFunction {
  let v = validators.get(name);
  if (!v) {
    ajv ??= new AjvClass({ allErrors: true, strict: true });
    v = ajv.compile(openConnectorsContracts[name]);
    validators.set(name, v);
  }
  return v;
}

/** Throws with ajv's messages when `value` does not validate against the named Open Connectors contract. */
export function assertContract(name: ContractName, value: unknown): void {
  const validate = validatorFor(name);
  if (!validate(value)) throw new Error(`${name}: ${ajv!.errorsText(validate.errors, { separator: '\n' })}`);
}
