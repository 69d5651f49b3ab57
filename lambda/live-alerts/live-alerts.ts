/**
 * The live fraud-alert consumer's logic, apart from AWS: one batch of Kafka
 * records from the transactions topic in, fraud alerts raised at most once out.
 *
 * Per card in the batch: read its recent history, add the batch's transactions
 * (a transaction already in the history, e.g. a redelivered record, is not
 * added twice), prune, evaluate the rules over the whole history, write the
 * history back only if nobody else wrote it meanwhile (version check; on a
 * conflict read again and redo, a bounded number of times), then record each
 * alert under its deterministic id. The batch's cards are read together and
 * written together (the store does each in as few requests as it can), so the
 * requests per batch do not grow with its cards; each card's write is still
 * conditional on its own version, and a conflict redoes only that card. An
 * alert id recorded and notified before is never notified again, so a
 * redelivered or replayed record raises nothing new. What could not be processed is reported per record, so the event source
 * redelivers only from there.
 */

/** What the logic needs of a parsed transaction (the fraud-rules module's `LiveTransaction`). */
export interface LiveTransactionShape {
  readonly transactionId: string;
  readonly cardId: string;
  /** Event time, epoch milliseconds. */
  readonly occurredAt: number;
}

/** What the logic needs of an alert (the fraud-rules module's `FraudAlert`). */
export interface FraudAlertShape {
  /** Deterministic: the same rule, card and window always give the same id. */
  readonly alertId: string;
  readonly rule: string;
  readonly cardId: string;
  readonly transactionId: string;
  readonly occurredAt: number;
  readonly windowStart: number;
  readonly detail: unknown;
}

/** The fraud rules, as the logic uses them (lambda/live-alerts/fraud-rules). */
export interface FraudRuleEngine<Txn extends LiveTransactionShape, Alert extends FraudAlertShape> {
  /**
   * `kind: 'not-applicable'`: a valid line the rules never look at (not an ATM transaction, no
   * card), skipped without counting it as bad; anything else that is not ok is a bad line.
   */
  parse(
    line: string,
  ): { ok: true; txn: Txn } | { ok: false; reason: string; kind?: 'invalid' | 'not-applicable' };
  detect(history: Txn[]): Alert[];
  prune(history: Txn[], newestEventTime: number): Txn[];
}

/** One card's recent history as stored, with the version its conditional write checks. */
export interface CardState<Txn> {
  readonly history: Txn[];
  /** 0 when the card has no state yet. */
  readonly version: number;
}

/** One card's new history, written only over the version it was computed from. */
export interface CardWrite<Txn> {
  readonly cardId: string;
  readonly history: Txn[];
  /** The version read (0: no item yet). */
  readonly expectedVersion: number;
}

/** 'conflict': another writer got there first (the stored version is no longer the expected one). */
export type WriteResult = 'written' | 'conflict';

/** One card's result within a call for many: a failure is that card's alone. */
export type CardOutcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** Where card histories live (DynamoDB on AWS: one item per card). */
export interface CardStateStore<Txn> {
  /** The cards' states (an unknown card: empty history, version 0); one outcome per card asked for. */
  readMany(cardIds: readonly string[]): Promise<ReadonlyMap<string, CardOutcome<CardState<Txn>>>>;
  /**
   * Writes each card's history if its stored version is still the expected one; one outcome per
   * card. A card that conflicts is not written, whatever happens to the others.
   */
  writeMany(writes: readonly CardWrite<Txn>[]): Promise<ReadonlyMap<string, CardOutcome<WriteResult>>>;
}

/** Where alerts are recorded and announced. */
export interface AlertSink<Alert> {
  /**
   * Records the alert under its id unless it was recorded and notified before.
   * `false`: nothing to do, it was raised already.
   */
  record(alert: Alert): Promise<boolean>;
  /** Writes one batch's newly raised alerts for Athena (JSON lines, one object). */
  archive(alerts: Alert[], batchId: string): Promise<void>;
  /** Tells the analysts (SNS) about one alert, then marks it notified. */
  notify(alert: Alert): Promise<void>;
}

/** One Kafka record as the MSK event source delivers it. */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Base64 of the record's value; absent or null for a tombstone. */
  readonly value?: string | null;
}

/** The MSK event: records grouped under `<topic>-<partition>` keys. */
export interface KafkaBatch {
  readonly records: Readonly<Record<string, readonly KafkaRecord[]>>;
}

/**
 * The partial batch response of a Kafka event source mapping: the key of the
 * record's topic-partition in the event and the record's offset.
 */
export interface KafkaItemIdentifier {
  readonly partition: string;
  readonly offset: number;
}

export interface BatchOutcome<Alert> {
  readonly batchItemFailures: { itemIdentifier: KafkaItemIdentifier }[];
  readonly recordsRead: number;
  readonly transactionsRead: number;
  /** Valid lines the rules never look at (not ATM, no card), skipped. */
  readonly linesNotApplicable: number;
  /** Lines that did not parse, skipped (never retried: a bad line stays bad). */
  readonly badLines: { readonly at: KafkaItemIdentifier; readonly reason: string }[];
  readonly cardsProcessed: number;
  /** Conditional-write conflicts met and retried. */
  readonly stateConflicts: number;
  readonly alertsRaised: Alert[];
}

export interface LiveAlertSettings {
  /** Attempts at one card's read-evaluate-write cycle when the conditional write conflicts. */
  readonly maxStateWriteAttempts: number;
  /** Cards whose alerts are recorded at the same time (DynamoDB calls in flight). */
  readonly cardConcurrency: number;
}

export const DEFAULT_LIVE_ALERT_SETTINGS: LiveAlertSettings = {
  maxStateWriteAttempts: 5,
  cardConcurrency: 8,
};

export interface LiveAlertLog {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

export interface LiveAlertPorts<Txn extends LiveTransactionShape, Alert extends FraudAlertShape> {
  readonly rules: FraudRuleEngine<Txn, Alert>;
  readonly state: CardStateStore<Txn>;
  readonly alerts: AlertSink<Alert>;
  readonly log: LiveAlertLog;
}

/** Raised when a card's state kept changing under us for every allowed attempt. */
export class StateConflictError extends Error {
  override readonly name = 'StateConflictError';
}

interface ParsedRecord<Txn> {
  readonly at: KafkaItemIdentifier;
  readonly txns: Txn[];
}

/** Processes one MSK batch; never throws for a bad line or one card's failure. */
export async function processBatch<Txn extends LiveTransactionShape, Alert extends FraudAlertShape>(
  batch: KafkaBatch,
  ports: LiveAlertPorts<Txn, Alert>,
  settings: LiveAlertSettings = DEFAULT_LIVE_ALERT_SETTINGS,
): Promise<BatchOutcome<Alert>> {
  const badLines: BatchOutcome<Alert>['badLines'][number][] = [];
  const parsed: ParsedRecord<Txn>[] = [];
  let notApplicable = 0;
  for (const [partitionKey, records] of Object.entries(batch.records)) {
    for (const record of records) {
      const at = { partition: partitionKey, offset: record.offset };
      const txns: Txn[] = [];
      for (const line of decodeLines(record.value)) {
        const result = ports.rules.parse(line);
        if (result.ok) txns.push(result.txn);
        else if (result.kind === 'not-applicable') notApplicable += 1;
        else badLines.push({ at, reason: result.reason });
      }
      if (txns.length === 0 && !hasAnyLine(record.value)) {
        badLines.push({ at, reason: 'the record has no value (tombstone or empty)' });
      }
      parsed.push({ at, txns });
    }
  }

  // The records each card's transactions came from: a card that fails fails all of them.
  const byCard = new Map<string, { txns: Txn[]; from: KafkaItemIdentifier[] }>();
  for (const record of parsed) {
    for (const txn of record.txns) {
      const entry = byCard.get(txn.cardId) ?? { txns: [], from: [] };
      entry.txns.push(txn);
      if (!entry.from.includes(record.at)) entry.from.push(record.at);
      byCard.set(txn.cardId, entry);
    }
  }

  const failed = new Set<KafkaItemIdentifier>();
  const raised: Alert[] = [];
  const cards = [...byCard.entries()];
  const failCard = (cardId: string, error: unknown): void => {
    const from = byCard.get(cardId)?.from ?? [];
    from.forEach((at) => failed.add(at));
    ports.log.warn('card not processed; its records will be redelivered', {
      cardId,
      records: from,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  };
  const evaluated = await evaluateCards(
    new Map(cards.map(([cardId, entry]) => [cardId, entry.txns])),
    ports,
    settings,
  );
  for (const [cardId, error] of evaluated.failed) failCard(cardId, error);
  await forEachLimited([...evaluated.written], settings.cardConcurrency, async ([cardId, alerts]) => {
    try {
      for (const alert of alerts) {
        if (await ports.alerts.record(alert)) raised.push(alert);
      }
    } catch (error) {
      failCard(cardId, error);
    }
  });

  // Newly recorded alerts: archive for Athena first, then notify (a notify that fails leaves the
  // alert unnotified, so the redelivered record records, archives and notifies it again).
  const notified = await announce(raised, batchIdOf(parsed), ports);
  for (const alert of raised.filter((a) => !notified.has(a.alertId))) {
    for (const at of byCard.get(alert.cardId)?.from ?? []) failed.add(at);
  }

  return {
    batchItemFailures: parsed
      .filter((record) => failed.has(record.at))
      .map((record) => ({ itemIdentifier: { ...record.at } })),
    recordsRead: parsed.length,
    transactionsRead: parsed.reduce((sum, record) => sum + record.txns.length, 0),
    linesNotApplicable: notApplicable,
    badLines,
    cardsProcessed: cards.length,
    stateConflicts: evaluated.conflicts,
    alertsRaised: raised.filter((a) => notified.has(a.alertId)),
  };
}

interface EvaluatedCards<Alert> {
  /** Cards whose history was written, with the alerts their merged history gives. */
  readonly written: Map<string, Alert[]>;
  /** Cards not processed and why (a failed read or write, or conflicts on every attempt). */
  readonly failed: Map<string, unknown>;
  /** Conditional-write conflicts met. */
  readonly conflicts: number;
}

/**
 * The batch's cards: read together, merge, prune, detect, write together (each write conditional on
 * the version read); a card that conflicts is read and evaluated again with the others that did, a
 * bounded number of times.
 */
async function evaluateCards<Txn extends LiveTransactionShape, Alert extends FraudAlertShape>(
  arrivedByCard: ReadonlyMap<string, Txn[]>,
  ports: LiveAlertPorts<Txn, Alert>,
  settings: LiveAlertSettings,
): Promise<EvaluatedCards<Alert>> {
  const written = new Map<string, Alert[]>();
  const failed = new Map<string, unknown>();
  let conflicts = 0;
  let pending = [...arrivedByCard.keys()];
  for (let attempt = 1; attempt <= settings.maxStateWriteAttempts && pending.length > 0; attempt += 1) {
    const states = await ports.state.readMany(pending);
    const writes: CardWrite<Txn>[] = [];
    const alertsByCard = new Map<string, Alert[]>();
    for (const cardId of pending) {
      const state = states.get(cardId) ?? { ok: false, error: new Error('the store returned no state') };
      if (!state.ok) {
        failed.set(cardId, state.error);
        continue;
      }
      // A transaction already in the history (a redelivered record) keeps its first copy.
      const deduplicated = uniqueById([...state.value.history, ...(arrivedByCard.get(cardId) ?? [])]).sort(
        (a, b) => a.occurredAt - b.occurredAt,
      );
      const newest = Math.max(...deduplicated.map((t) => t.occurredAt));
      const history = ports.rules.prune(deduplicated, newest);
      // Detect over the merged history before pruning can drop an arrival that is late but within the rules' windows.
      alertsByCard.set(cardId, ports.rules.detect(deduplicated));
      writes.push({ cardId, history, expectedVersion: state.value.version });
    }
    const results = writes.length === 0 ? new Map() : await ports.state.writeMany(writes);
    const again: string[] = [];
    for (const { cardId } of writes) {
      const result: CardOutcome<WriteResult> = results.get(cardId) ?? {
        ok: false,
        error: new Error('the store returned no write result'),
      };
      if (!result.ok) failed.set(cardId, result.error);
      else if (result.value === 'written') written.set(cardId, alertsByCard.get(cardId) ?? []);
      else {
        conflicts += 1;
        ports.log.info('card state changed while evaluating; reading it again', { cardId, attempt });
        again.push(cardId);
      }
    }
    pending = again;
  }
  for (const cardId of pending) {
    failed.set(
      cardId,
      new StateConflictError(
        `card ${cardId}: its state changed under ${settings.maxStateWriteAttempts} attempts in a row`,
      ),
    );
  }
  return { written, failed, conflicts };
}

/** Archives the batch's new alerts, then notifies each; returns the ids notified. */
async function announce<Alert extends FraudAlertShape>(
  alerts: Alert[],
  batchId: string,
  ports: LiveAlertPorts<LiveTransactionShape, Alert>,
): Promise<Set<string>> {
  const notified = new Set<string>();
  if (alerts.length === 0) return notified;
  try {
    await ports.alerts.archive(alerts, batchId);
  } catch (error) {
    ports.log.warn('alerts not archived; their records will be redelivered', {
      alertIds: alerts.map((a) => a.alertId),
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    return notified;
  }
  for (const alert of alerts) {
    try {
      await ports.alerts.notify(alert);
      notified.add(alert.alertId);
    } catch (error) {
      ports.log.warn('alert not notified; its records will be redelivered', {
        alertId: alert.alertId,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  }
  return notified;
}

/** The text lines of a record's base64 value (the topic carries one JSON line per record). */
export function decodeLines(value: string | null | undefined): string[] {
  if (value === undefined || value === null || value === '') return [];
  return Buffer.from(value, 'base64')
    .toString('utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
}

function hasAnyLine(value: string | null | undefined): boolean {
  return decodeLines(value).length > 0;
}

function uniqueById<Txn extends LiveTransactionShape>(txns: Txn[]): Txn[] {
  const seen = new Map<string, Txn>();
  for (const txn of txns) if (!seen.has(txn.transactionId)) seen.set(txn.transactionId, txn);
  return [...seen.values()];
}

/** Names a batch by its first record, so a redelivered batch writes the same archive object. */
function batchIdOf(records: ParsedRecord<unknown>[]): string {
  const first = records[0]?.at;
  return first === undefined ? 'empty' : `${first.partition}-${first.offset}`;
}

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      await work(item as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
