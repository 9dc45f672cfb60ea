import type { HubOperation } from '../../../hubs/hub-contract.ts';
import { JiraApi, enc, issuePath } from './jira-api.ts';

interface AttachmentBean {
  id: string;
  filename: string;
  mimeType?: string;
  size?: number;
  content?: string;
}

/**
 * Attachments (jira-server.md §4.7): uploads go to Jira as multipart part `file` with
 * `X-Atlassian-Token: no-check`; bytes are read from `/secure/attachment/{id}/{name}` under the
 * instance's siteAddress (never from the absolute URL in the bean, so credentials only ever go
 * to the configured Jira).
 */
export const attachmentOperations: HubOperation[] = [
  {
    method: 'POST',
    path: 'incidents/:id/attachments',
    upload: true,
    async handle(req, ctx) {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(req.file!.content)], { type: req.file!.mimeType || 'application/octet-stream' }), req.file!.filename);
      // Jira refuses multipart posts without this header (XSRF check).
      return { kind: 'object', body: await new JiraApi(ctx).upload(`${issuePath(req.params.id!)}/attachments`, form, { 'x-atlassian-token': 'no-check' }) };
    },
  },
  {
    method: 'GET',
    path: 'incidents/:id/attachments',
    list: true,
    async handle(req, ctx) {
      const issue = await new JiraApi(ctx).get<{ fields: { attachment?: unknown[] } }>(`${issuePath(req.params.id!)}?fields=attachment`);
      const items = issue.fields.attachment ?? [];
      const { startAt, pageSize } = req.paging;
      const page = items.slice(startAt, startAt + pageSize);
      return { kind: 'list', items: page, total: items.length, nextStartAt: startAt + page.length < items.length ? startAt + page.length : undefined };
    },
  },
  {
    method: 'GET',
    path: 'attachments/:id',
    async handle(req, ctx) {
      const api = new JiraApi(ctx);
      const bean = await api.get<AttachmentBean>(`/rest/api/2/attachment/${enc(req.params.id!)}`);
      if (!req.accept.includes('application/octet-stream')) return { kind: 'object', body: bean };
      const download = await api.stream(`/secure/attachment/${enc(bean.id)}/${enc(bean.filename)}`);
      return {
        kind: 'stream',
        stream: download.body,
        contentType: bean.mimeType ?? download.contentType,
        filename: bean.filename,
        length: download.length ?? bean.size,
      };
    },
  },
  {
    method: 'DELETE',
    path: 'attachments/:id',
    async handle(req, ctx) {
      await new JiraApi(ctx).delete(`/rest/api/2/attachment/${enc(req.params.id!)}`);
      return { kind: 'empty' };
    },
  },
];
