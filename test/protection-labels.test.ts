// Number labels on MariaDB and SQLite: confidence grows with independent evidence and fades with time,
// operators have the last word, the feed carries every change in order, and label files import in
// batches, report their rejects, and resume after an interruption.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { importLabelsFile } from '../app/labels/import';
import { LabelError } from '../app/labels/service';
import { BACKENDS, openWorld } from './support/protection-world';

const DAY = 86_400_000;

function tmpFile(name: string, content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-labels-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

for (const backend of BACKENDS) {
  const name = backend.db;

  test(`${name}: one report cannot swing a label; five independent ones do`, async (t) => {
    const w = await openWorld(backend);
    try {
      const first = await w.labels.addEvidence('+86 171 2345 6789', 'insurance', 'report', { weight: 0.15 });
      t.like(first, { number: '17123456789', evidenceCount: 1 });
      t.true(Math.abs(first.confidence - 0.15) < 1e-9 && first.confidence < 0.5);
      let last = first;
      for (let i = 0; i < 4; i++) last = await w.labels.addEvidence('17123456789', 'insurance', 'report', { weight: 0.15 });
      t.is(last.evidenceCount, 5);
      t.true(Math.abs(last.confidence - (1 - 0.85 ** 5)) < 1e-3);
      t.true(last.confidence >= 0.5);
    } finally {
      await w.close();
    }
  });

  test(`${name}: confidence halves over a source's half-life and new evidence starts from the faded value`, async (t) => {
    const w = await openWorld(backend);
    try {
      const now = new Date();
      await w.labels.addEvidence('17100000001', 'loan_finance', 'report', { weight: 0.8, at: new Date(now.getTime() - 60 * DAY) });
      const [faded] = await w.labels.labelsOf('17100000001', now);
      t.true(Math.abs(faded.effective - 0.4) < 1e-3, `${faded.effective}`);
      const again = await w.labels.addEvidence('17100000001', 'loan_finance', 'report', { weight: 0.5, at: now });
      t.true(Math.abs(again.confidence - (1 - 0.6 * 0.5)) < 1e-3, `${again.confidence}`);
    } finally {
      await w.close();
    }
  });

  test(`${name}: an operator's label and an operator's removal stay as the operator left them`, async (t) => {
    const w = await openWorld(backend);
    try {
      await w.labels.setByOperator('17100000002', 'fraud', 0.2);
      await w.labels.importBatch([{ number: '17100000002', category: 'fraud', confidence: 0.95 }]);
      await w.labels.addEvidence('17100000002', 'fraud', 'report', { weight: 0.9 });
      t.like((await w.labels.labelsOf('17100000002'))[0], { source: 'operator', confidence: 0.2 });

      await w.labels.importBatch([{ number: '17100000003', category: 'fraud', confidence: 0.9 }]);
      t.is(await w.labels.clear('17100000003', 'fraud'), 1);
      await w.labels.importBatch([{ number: '17100000003', category: 'fraud', confidence: 0.9 }]);
      await w.labels.addEvidence('17100000003', 'fraud', 'report', { weight: 0.9 });
      t.deepEqual(await w.labels.labelsOf('17100000003'), [], 'a cleared label is not revived');
      await t.throwsAsync(() => w.labels.addEvidence('not a number', 'fraud', 'report', { weight: 0.1 }), { instanceOf: LabelError, message: 'bad_number' });
    } finally {
      await w.close();
    }
  });

  test(`${name}: imports keep the higher confidence and are idempotent; expired labels do not show`, async (t) => {
    const w = await openWorld(backend);
    try {
      await w.labels.importBatch([{ number: '4008123123', category: 'other_marketing', confidence: 0.7 }]);
      await w.labels.importBatch([{ number: '400-812-3123', category: 'other_marketing', confidence: 0.6 }]);
      await w.labels.importBatch([{ number: '4008123123', category: 'other_marketing', confidence: 0.6 }]);
      const [l] = await w.labels.labelsOf('4008123123');
      t.like(l, { confidence: 0.7, evidenceCount: 3, source: 'import' });
      // 1.5 s: long enough that a loaded machine still reads the label before it expires.
      const expiresAt = new Date(Date.now() + 1500);
      await w.labels.importBatch([{ number: '4008123124', category: 'travel', confidence: 0.9, expiresAt }]);
      t.is((await w.labels.labelsOf('4008123124')).length, 1);
      await new Promise((r) => setTimeout(r, Math.max(0, expiresAt.getTime() - Date.now()) + 50));
      t.deepEqual(await w.labels.labelsOf('4008123124'), []);
    } finally {
      await w.close();
    }
  });

  test(`${name}: the feed pages through every change in version order, tombstones included`, async (t) => {
    const w = await openWorld(backend);
    try {
      const start = await w.labels.currentVersion();
      await w.labels.importBatch(Array.from({ length: 25 }, (_, i) => ({ number: `1712000${String(i).padStart(4, '0')}`, category: 'education' as const, confidence: 0.8 })));
      await w.labels.clear('17120000007');
      const seen: { number: string; version: number; tombstone: boolean }[] = [];
      let cursor = start;
      for (;;) {
        const page = await w.labels.changesSince(cursor, 10);
        seen.push(...page.changes.map((c) => ({ number: c.number, version: c.version, tombstone: c.tombstone })));
        cursor = page.next;
        if (!page.more) break;
      }
      t.is(seen.length, 25, 'the removed label appears once, as its latest change');
      t.deepEqual(seen.map((s) => s.version), [...seen.map((s) => s.version)].sort((a, b) => a - b));
      t.deepEqual(seen.filter((s) => s.tombstone).map((s) => s.number), ['17120000007']);
      t.is(seen[seen.length - 1].number, '17120000007', 'the removal is the newest change');
      t.is(cursor, await w.labels.currentVersion());
    } finally {
      await w.close();
    }
  });

  test(`${name}: a reader following the feed while writers race never misses a change`, async (t) => {
    const w = await openWorld(backend);
    try {
      const finalVersion = new Map<string, number>();
      let cursor = await w.labels.currentVersion();
      let writing = true;
      const reader = (async () => {
        for (;;) {
          const done = !writing;
          const page = await w.labels.changesSince(cursor, 7);
          for (const c of page.changes) finalVersion.set(`${c.number}|${c.category}`, c.version);
          cursor = page.next;
          if (done && !page.more) return;
        }
      })();
      const writers = Array.from({ length: 6 }, (_, k) =>
        (async () => {
          for (let i = 0; i < 8; i++) {
            const n = `1713000${String((k * 8 + i) % 20).padStart(4, '0')}`;
            if (i % 3 === 0) await w.labels.addEvidence(n, 'securities', 'report', { weight: 0.2 });
            else await w.labels.importBatch([{ number: n, category: 'securities', confidence: 0.5 }, { number: `1714000${k}${i}00`, category: 'travel', confidence: 0.5 }]);
          }
        })(),
      );
      await Promise.all(writers);
      writing = false;
      await reader;
      const rows = (await w.deps.db.query(`SELECT number, category, version FROM number_label`)) as { number: string; category: string; version: number | string }[];
      t.true(rows.length > 20);
      for (const r of rows) t.is(finalVersion.get(`${r.number}|${r.category}`), Number(r.version), `${r.number} ${r.category}`);
    } finally {
      await w.close();
    }
  });

  test(`${name}: a label file imports with its rejects reported line by line`, async (t) => {
    const w = await openWorld(backend);
    const file = tmpFile(
      'labels.csv',
      [
        'number,category,confidence,expires',
        '13800138000,loan_finance,0.9,',
        '+86 139 0013 9000,保险推销,,2099-01-01',
        '"0755-6123 4567",real_estate,0.7',
        'not-a-number,fraud,0.9',
        '13800138001,lottery,0.9',
        '13800138002,fraud,1.5',
        '13800138003,fraud,0.9,someday',
        '13800138004,fraud,0.9,2001-01-01',
        '13800138005',
        '',
        '95588,fraud,0.99',
      ].join('\r\n') + '\r\n',
    );
    try {
      const r = await importLabelsFile(w.deps.db, file, { batchSize: 3 });
      t.like(r, { accepted: 4, rejected: 6, alreadyDone: false, resumedAfter: 0 });
      t.like((await w.labels.labelsOf('13800138000'))[0], { category: 'loan_finance', confidence: 0.9, source: 'import' });
      t.like((await w.labels.labelsOf('13900139000'))[0], { category: 'insurance', confidence: 0.8 });
      t.truthy((await w.labels.labelsOf('13900139000'))[0].expiresAt);
      t.like((await w.labels.labelsOf('075561234567'))[0], { category: 'real_estate' });
      t.like((await w.labels.labelsOf('95588'))[0], { category: 'fraud' });
      const rejects = fs.readFileSync(r.rejectsPath, 'utf8').trim().split('\n');
      t.deepEqual(rejects, [
        'line,row,reason',
        '5,"not-a-number,fraud,0.9",bad_number',
        '6,"13800138001,lottery,0.9",bad_category',
        '7,"13800138002,fraud,1.5",bad_confidence',
        '8,"13800138003,fraud,0.9,someday",bad_expires',
        '9,"13800138004,fraud,0.9,2001-01-01",expired',
        '10,13800138005,missing_fields',
      ]);
      const again = await importLabelsFile(w.deps.db, file, { batchSize: 3 });
      t.true(again.alreadyDone);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
      await w.close();
    }
  });

  test(`${name}: an interrupted import resumes after the last committed batch, nothing twice`, async (t) => {
    const w = await openWorld(backend);
    const lines = ['number,category,confidence'];
    for (let i = 0; i < 2000; i++) lines.push(i % 100 === 5 ? `bad${i},fraud,0.5` : `1715${String(i).padStart(7, '0')},${i % 2 ? 'travel' : 'education'},0.6`);
    const file = tmpFile('big.csv', lines.join('\n'));
    try {
      let batches = 0;
      await t.throwsAsync(
        () =>
          importLabelsFile(w.deps.db, file, {
            batchSize: 300,
            onProgress: () => {
              if (++batches === 3) throw new Error('power cut');
            },
          }),
        { message: 'power cut' },
      );
      const [cp] = (await w.deps.db.query(`SELECT lastLine, accepted, rejected FROM label_import`)) as { lastLine: number }[];
      t.is(Number(cp.lastLine), 901, 'three batches of 300 rows after the header');
      const resumed = await importLabelsFile(w.deps.db, file, { batchSize: 300 });
      t.is(resumed.resumedAfter, 901);
      t.like(resumed, { accepted: 1980, rejected: 20 });
      const [{ n }] = (await w.deps.db.query(`SELECT COUNT(*) AS n FROM number_label WHERE number LIKE '1715%'`)) as { n: number | string }[];
      t.is(Number(n), 1980);
      const [{ e }] = (await w.deps.db.query(`SELECT MAX(evidenceCount) AS e FROM number_label`)) as { e: number | string }[];
      t.is(Number(e), 1, 'no row was imported twice');
      const rejects = fs.readFileSync(resumed.rejectsPath, 'utf8').trim().split('\n').slice(1);
      t.is(rejects.length, 20);
      t.is(new Set(rejects).size, 20);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
      await w.close();
    }
  });
}
