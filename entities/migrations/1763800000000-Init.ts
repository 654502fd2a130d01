import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { bool, id, int, str, text, time } from './columns';

export class Init1763800000000 implements MigrationInterface {
  name = 'Init1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'subscriber',
        columns: [id(), str('openid', 64, { isNullable: true }), bool('subscribed'), time('subscribedAt', true), time('unsubscribedAt', true), bool('wechatPushBlocked'), time('createdAt'), time('updatedAt')],
        indices: [new TableIndex({ name: 'uq_subscriber_openid', columnNames: ['openid'], isUnique: true })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'phone_binding',
        columns: [id(), int('subscriberId'), str('phoneHash', 64), str('phoneCipher', 255), str('source', 16), time('verifiedAt')],
        indices: [
          new TableIndex({ name: 'uq_binding_subscriber', columnNames: ['subscriberId'], isUnique: true }),
          new TableIndex({ name: 'uq_binding_phone_hash', columnNames: ['phoneHash'], isUnique: true }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'protection_settings',
        columns: [
          int('subscriberId', { isPrimary: true }),
          bool('enabled'),
          bool('paused'),
          time('enabledAt', true),
          text('categoryModes'),
          text('behaviour'),
          text('notices'),
          text('options'),
          int('version', { default: 1 }),
          time('updatedAt'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_event',
        columns: [id(), int('subscriberId', { isNullable: true }), str('actor', 16), str('channel', 16), str('action', 64), text('detail'), time('at')],
        indices: [new TableIndex({ name: 'ix_audit_subscriber_at', columnNames: ['subscriberId', 'at'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'sms_message',
        columns: [
          id(),
          str('phoneHash', 64),
          str('phoneMasked', 16),
          str('purpose', 16),
          str('template', 64),
          str('provider', 16),
          str('status', 16),
          int('attempts', { default: 0 }),
          str('lastError', 255, { isNullable: true }),
          str('providerMessageId', 64, { isNullable: true }),
          time('createdAt'),
          time('finishedAt', true),
        ],
        indices: [new TableIndex({ name: 'ix_sms_phone_created', columnNames: ['phoneHash', 'createdAt'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'wechat_message',
        columns: [
          id(),
          int('subscriberId'),
          str('kind', 16),
          str('templateId', 64, { isNullable: true }),
          str('purpose', 32),
          str('msgid', 32, { isNullable: true }),
          str('status', 16),
          str('error', 255, { isNullable: true }),
          time('createdAt'),
          time('updatedAt', true),
        ],
        indices: [new TableIndex({ name: 'ix_wechat_msgid', columnNames: ['msgid'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['wechat_message', 'sms_message', 'audit_event', 'protection_settings', 'phone_binding', 'subscriber']) await q.dropTable(t);
  }
}
