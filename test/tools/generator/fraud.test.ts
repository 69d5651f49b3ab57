/**
 * Fraud injection: the sidecar lists each incident, its transactions are in the output, and each
 * pattern really has the shape its name claims (checked from the output lines, not the sidecar).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { distanceKm } from '../../../tools/generator/atm-network';
import { CARD_TYPES, JUNIOR_CARD } from '../../../tools/generator/accounts';
import { amountToCents, generate, must, readJsonLines, type GeneratedRun, type Txn } from './helpers';

interface Incident {
  incident_id: string;
  pattern: string;
  account_id: string;
  card_id: string;
  card_type: string;
  window_seconds: number;
  transactions: { transaction_id: string; status: string }[];
}

let run: GeneratedRun;
let incidents: Incident[];
let byId: Map<string, Txn>;

beforeAll(async () => {
  run = await generate(['--seed', '5', '--count', '20000', '--days', '14', '--fraud-ratio', '0.02']);
  incidents = readJsonLines<Incident>(run.fraudPath);
  byId = new Map(run.lines.map((l) => JSON.parse(l) as Txn).map((t) => [t.transaction_id, t]));
});

function linesOf(incident: Incident): Txn[] {
  return incident.transactions.map((t) => must(byId.get(t.transaction_id), t.transaction_id));
}

/** Each incident of one pattern with its lines; the seed yields more than 3 of every pattern. */
function incidentsWithLines(pattern: string): { incident: Incident; txns: Txn[] }[] {
  const matching = incidents.filter((i) => i.pattern === pattern);
  expect(matching.length, pattern).toBeGreaterThan(3);
  return matching.map((incident) => ({ incident, txns: linesOf(incident) }));
}

function minutesSpanned(txns: Txn[]): number {
  const times = txns.map((t) => Date.parse(t.occurred_at));
  return (Math.max(...times) - Math.min(...times)) / 60000;
}

describe('fraud injection', () => {
  it('injects about the requested share and reports the same counts in the summary', () => {
    const injected = incidents.reduce((sum, i) => sum + i.transactions.length, 0);
    expect(injected).toBeGreaterThan(0.015 * 20000);
    expect(injected).toBeLessThanOrEqual(0.02 * 20000);
    const summary = JSON.parse(readFileSync(run.summaryPath, 'utf8'));
    expect(summary.fraud.incidents).toBe(incidents.length);
    expect(summary.fraud.transactions).toBe(injected);
  });

  it('has all three patterns, and every reported transaction is in the output on the victim card', () => {
    expect(new Set(incidents.map((i) => i.pattern))).toEqual(
      new Set(['card_burst', 'distant_atms', 'repeated_max_withdrawal']),
    );
    for (const incident of incidents) {
      for (const txn of linesOf(incident)) {
        expect(txn, incident.incident_id).toBeDefined();
        expect(txn.card_id).toBe(incident.card_id);
        expect(txn.account_id).toBe(incident.account_id);
        expect(txn.channel).toBe('atm');
        expect(txn.operation).toBe('cash_withdrawal');
      }
    }
  });

  it('card_burst: at least 4 withdrawals on one card within 30 minutes', () => {
    for (const { txns } of incidentsWithLines('card_burst')) {
      expect(txns.length).toBeGreaterThanOrEqual(4);
      expect(minutesSpanned(txns)).toBeLessThanOrEqual(30);
      // Dense enough for a "3 withdrawals within 10 minutes" rule (the ATM job's default).
      expect(minutesSpanned(txns.slice(0, 3))).toBeLessThanOrEqual(10);
    }
  });

  it('distant_atms: consecutive withdrawals at ATMs at least 150 km apart, all within one hour', () => {
    for (const { txns } of incidentsWithLines('distant_atms')) {
      expect(minutesSpanned(txns)).toBeLessThanOrEqual(60);
      for (let k = 1; k < txns.length; k++) {
        const a = txns[k - 1] as unknown as { latitude: number; longitude: number };
        const b = txns[k] as unknown as { latitude: number; longitude: number };
        const km = distanceKm(a, b);
        expect(km).toBeGreaterThanOrEqual(150);
        // Faster than any car or train: an "impossible travel" rule at 300 km/h must see it.
        const hours = minutesSpanned([txns[k - 1], txns[k]]) / 60;
        expect(km / hours).toBeGreaterThan(300);
      }
    }
  });

  it('repeated_max_withdrawal: at least 3 withdrawals of the card type maximum within 2 hours', () => {
    const maxByType = new Map([...CARD_TYPES, JUNIOR_CARD].map((t) => [t.name, t.perWithdrawalMaxCents]));
    for (const { incident, txns } of incidentsWithLines('repeated_max_withdrawal')) {
      expect(txns.length).toBeGreaterThanOrEqual(3);
      expect(minutesSpanned(txns)).toBeLessThanOrEqual(120);
      for (const t of txns) expect(amountToCents(t.amount)).toBe(maxByType.get(incident.card_type));
      // ... which is also the largest ATM withdrawal any card allows (what a detection rule can see).
      expect(maxByType.get(incident.card_type)).toBe(Math.max(...maxByType.values()));
    }
  });

  it('fraud goes through authorisation: repeated maximum withdrawals hit the daily limit', () => {
    const statuses = incidents
      .filter((i) => i.pattern === 'repeated_max_withdrawal')
      .flatMap((i) => linesOf(i).map((t) => t.message_code));
    expect(statuses).toContain('00');
    expect(statuses).toContain('61');
  });

  it('injects nothing with --fraud-ratio 0', async () => {
    const clean = await generate(['--seed', '5', '--count', '3000', '--fraud-ratio', '0']);
    expect(readJsonLines(clean.fraudPath)).toEqual([]);
  });
});
