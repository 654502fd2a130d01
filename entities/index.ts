// The list TypeORM loads: one entity per file, migrations in order beside them.
import { Appeal } from './Appeal';
import { AuditEvent } from './AuditEvent';
import { InboundSms } from './InboundSms';
import { LabelHistory } from './LabelHistory';
import { Interception } from './Interception';
import { LabelImport } from './LabelImport';
import { LabelSequence } from './LabelSequence';
import { ListEntry } from './ListEntry';
import { Notice } from './Notice';
import { NumberLabel } from './NumberLabel';
import { NoticeCursor } from './NoticeCursor';
import { NoticeItem } from './NoticeItem';
import { PhoneBinding } from './PhoneBinding';
import { ProtectionSettings } from './ProtectionSettings';
import { Report } from './Report';
import { SmsMessage } from './SmsMessage';
import { Subscriber } from './Subscriber';
import { SubscriberViewRow } from './SubscriberView';
import { WechatMessage } from './WechatMessage';
import { Init1763800000000 } from './migrations/1763800000000-Init';
import { ListEntries1763800000001 } from './migrations/1763800000001-ListEntries';
import { NumberLabels1763800001000 } from './migrations/1763800001000-NumberLabels';
import { Interceptions1763800002000 } from './migrations/1763800002000-Interceptions';
import { Notices1763800005000 } from './migrations/1763800005000-Notices';
import { ReportsAppealsInboundSms1763800006000 } from './migrations/1763800006000-ReportsAppealsInboundSms';
import { LabelHistory1763800006001 } from './migrations/1763800006001-LabelHistory';
import { SubscriberView1764400000000 } from './migrations/1764400000000-SubscriberView';

export { AuditEvent, Interception, ListEntry, PhoneBinding, ProtectionSettings, SmsMessage, Subscriber, WechatMessage, Report, Appeal, InboundSms, LabelHistory, Notice, NoticeItem, NoticeCursor, NumberLabel, LabelSequence, LabelImport, SubscriberViewRow };

export const entities = [Subscriber, PhoneBinding, ProtectionSettings, AuditEvent, SmsMessage, WechatMessage, ListEntry, Interception, Report, Appeal, InboundSms, LabelHistory, Notice, NoticeItem, NoticeCursor, NumberLabel, LabelSequence, LabelImport, SubscriberViewRow];
export const migrations = [Init1763800000000, ListEntries1763800000001, NumberLabels1763800001000, Interceptions1763800002000, Notices1763800005000, ReportsAppealsInboundSms1763800006000, LabelHistory1763800006001, SubscriberView1764400000000];
