import { Migration20261124000000Foundation } from '../../migrations/Migration20261124000000Foundation';
import { Migration20261124010000Chat } from '../../migrations/Migration20261124010000Chat';
import { Migration20261124020000Presence } from '../../migrations/Migration20261124020000Presence';
import { Migration20261124030000GroupApiTokens } from '../../migrations/Migration20261124030000GroupApiTokens';
import { Migration20261124040000Crm } from '../../migrations/Migration20261124040000Crm';
import { Migration20261124050000MessageLinks } from '../../migrations/Migration20261124050000MessageLinks';
import { Migration20261124060000Notifications } from '../../migrations/Migration20261124060000Notifications';
import { Migration20261124070000Attachments } from '../../migrations/Migration20261124070000Attachments';
import { Migration20261201000000Hardening } from '../../migrations/Migration20261201000000Hardening';
import { Migration20261202000000LimitsInMemory } from '../../migrations/Migration20261202000000LimitsInMemory';
import { Migration20261202100000HelpChat } from '../../migrations/Migration20261202100000HelpChat';
import { Migration20261202110000Integrations } from '../../migrations/Migration20261202110000Integrations';
import { Migration20261202120000Webhooks } from '../../migrations/Migration20261202120000Webhooks';
import { Migration20261202130000TokenScopes } from '../../migrations/Migration20261202130000TokenScopes';
import { Migration20261203000000Search } from '../../migrations/Migration20261203000000Search';
import { Migration20261203100000ConversationMute } from '../../migrations/Migration20261203100000ConversationMute';
import { Migration20261203200000CrmSourceMessage } from '../../migrations/Migration20261203200000CrmSourceMessage';
import { Migration20261203300000Livechat } from '../../migrations/Migration20261203300000Livechat';
import { Migration20261203400000IntegrationAvatar } from '../../migrations/Migration20261203400000IntegrationAvatar';
import { Migration20261204100000LivechatConsultants } from '../../migrations/Migration20261204100000LivechatConsultants';
import { Migration20261204200000LivechatWidget } from '../../migrations/Migration20261204200000LivechatWidget';
import { Migration20261204300000Callback } from '../../migrations/Migration20261204300000Callback';

/** Listed here, not globbed, so the same list runs from TypeScript in tests and from dist in production. */
export const migrationsList = [
  { name: 'Migration20261124000000Foundation', class: Migration20261124000000Foundation },
  { name: 'Migration20261124010000Chat', class: Migration20261124010000Chat },
  { name: 'Migration20261124020000Presence', class: Migration20261124020000Presence },
  { name: 'Migration20261124030000GroupApiTokens', class: Migration20261124030000GroupApiTokens },
  { name: 'Migration20261124040000Crm', class: Migration20261124040000Crm },
  { name: 'Migration20261124050000MessageLinks', class: Migration20261124050000MessageLinks },
  { name: 'Migration20261124060000Notifications', class: Migration20261124060000Notifications },
  { name: 'Migration20261124070000Attachments', class: Migration20261124070000Attachments },
  { name: 'Migration20261201000000Hardening', class: Migration20261201000000Hardening },
  { name: 'Migration20261202000000LimitsInMemory', class: Migration20261202000000LimitsInMemory },
  { name: 'Migration20261202100000HelpChat', class: Migration20261202100000HelpChat },
  { name: 'Migration20261202110000Integrations', class: Migration20261202110000Integrations },
  { name: 'Migration20261202120000Webhooks', class: Migration20261202120000Webhooks },
  { name: 'Migration20261202130000TokenScopes', class: Migration20261202130000TokenScopes },
  { name: 'Migration20261203000000Search', class: Migration20261203000000Search },
  { name: 'Migration20261203100000ConversationMute', class: Migration20261203100000ConversationMute },
  { name: 'Migration20261203200000CrmSourceMessage', class: Migration20261203200000CrmSourceMessage },
  { name: 'Migration20261203300000Livechat', class: Migration20261203300000Livechat },
  { name: 'Migration20261203400000IntegrationAvatar', class: Migration20261203400000IntegrationAvatar },
  { name: 'Migration20261204100000LivechatConsultants', class: Migration20261204100000LivechatConsultants },
  { name: 'Migration20261204200000LivechatWidget', class: Migration20261204200000LivechatWidget },
  { name: 'Migration20261204300000Callback', class: Migration20261204300000Callback },
];
