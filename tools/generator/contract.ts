/**
 * Everything the generator needs to know about the transaction contract, derived from
 * contracts/transaction.schema.json at load time (never copied by hand), so a contract change
 * either flows through or fails loudly here.
 */
import schemaJson from '../../contracts/transaction.schema.json';

interface SchemaProperty {
  enum?: unknown[];
  const?: unknown;
  [key: string]: unknown;
}

interface ContractSchema {
  required: string[];
  properties: Record<string, SchemaProperty>;
  allOf?: {
    if?: { properties?: Record<string, SchemaProperty> };
    then?: { required?: string[] };
  }[];
}

export const transactionSchema: Record<string, unknown> = schemaJson as unknown as Record<string, unknown>;
const schema = schemaJson as unknown as ContractSchema;

export type EnumField = 'type' | 'operation' | 'channel' | 'status';

function enumOf(field: EnumField): readonly string[] {
  const values = schema.properties[field]?.enum;
  if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
    throw new Error(
      `contracts/transaction.schema.json: property "${field}" is expected to be a string enum; ` +
        'the generator derives its values from it. Update tools/generator/contract.ts if the contract changed.',
    );
  }
  return values as string[];
}

export const contractEnums: Readonly<Record<EnumField, readonly string[]>> = {
  type: enumOf('type'),
  operation: enumOf('operation'),
  channel: enumOf('channel'),
  status: enumOf('status'),
};

export const requiredFields: readonly string[] = schema.required;

/** Fields the contract requires when channel = atm (from the allOf if/then rule). */
export const atmRequiredFields: readonly string[] = (() => {
  for (const rule of schema.allOf ?? []) {
    if (rule.if?.properties?.channel?.const === 'atm' && rule.then?.required) return rule.then.required;
  }
  throw new Error(
    'contracts/transaction.schema.json: no allOf rule "if channel = atm then required [...]" found; ' +
      'the generator needs it to know which ATM fields are mandatory.',
  );
})();

/**
 * Returns the value unchanged if the contract's enum for the field contains it, else throws at
 * module load: a renamed enum value must break the generator immediately, not produce bad data.
 */
export function enumValue<T extends string>(field: EnumField, value: T): T {
  if (!contractEnums[field].includes(value)) {
    throw new Error(
      `The generator uses ${field} "${value}" but contracts/transaction.schema.json only allows ` +
        `${contractEnums[field].join(', ')}. Update the generator's mapping to the contract.`,
    );
  }
  return value;
}

export const TYPE = { credit: enumValue('type', 'credit'), debit: enumValue('type', 'debit') } as const;

export const OPERATION = {
  cashWithdrawal: enumValue('operation', 'cash_withdrawal'),
  cardWithdrawal: enumValue('operation', 'card_withdrawal'),
  cashDeposit: enumValue('operation', 'cash_deposit'),
  transferIn: enumValue('operation', 'transfer_in'),
  transferOut: enumValue('operation', 'transfer_out'),
  interest: enumValue('operation', 'interest'),
  fee: enumValue('operation', 'fee'),
  payment: enumValue('operation', 'payment'),
} as const;

export const CHANNEL = {
  atm: enumValue('channel', 'atm'),
  branch: enumValue('channel', 'branch'),
  online: enumValue('channel', 'online'),
  mobile: enumValue('channel', 'mobile'),
  pos: enumValue('channel', 'pos'),
} as const;

export const STATUS = {
  completed: enumValue('status', 'completed'),
  declined: enumValue('status', 'declined'),
  failed: enumValue('status', 'failed'),
  reversed: enumValue('status', 'reversed'),
} as const;

export type TxnType = (typeof TYPE)[keyof typeof TYPE];
export type Operation = (typeof OPERATION)[keyof typeof OPERATION];
export type Channel = (typeof CHANNEL)[keyof typeof CHANNEL];
export type Status = (typeof STATUS)[keyof typeof STATUS];
