import type { Response } from 'express';
import type { OpenConversation } from '../chat/conversations.service';
import type { GwarRequest } from '../web/gwar-request';
import { render } from '../web/view';
import type { WebhooksService } from './webhooks.service';

/** The group's API token dialog (token, integration, avatar, webhook), as a page or as the dialog's fragment. */
export async function renderTokenDialog(
  req: GwarRequest,
  res: Response,
  open: OpenConversation,
  webhooks: WebhooksService,
  context: object,
  status = 200,
): Promise<void> {
  const endpoint = `${req.protocol}://${req.get('host')}/api/v1/messages`;
  const webhook = await webhooks.view(open);
  render(
    req,
    res,
    'integrations/api-token',
    { groupId: open.conversation.id, endpoint, webhook, ...context },
    { fragment: 'integrations/_api-token', status },
  );
}
