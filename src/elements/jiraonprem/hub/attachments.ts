import { FormData, request } from 'undici';
import { ApiError } from '../../../platform/errors.ts';
import type { HubOperation } from '../../../hubs/hub-contract.ts';
import { classifyNetworkError } from '../jira-http.ts';
import { JiraApi, enc, issuePath, parseJiraJson, refuseDotSegments, toHubError } from './jira-api.ts';

interface AttachmentBean { id: string; filename: string; mimeType?: string; size?: number; content?: string }

/**
 * Attachments (jira-server.md §4.7): uploads go to Jira as multipart part `file` with
 * `X-Atlassian-Token: no-check`; bytes are read from `/secure/attachment/{id}/{name}` under the
 * instance's siteAddress (never from the absolute URL in the bean, so credentials only ever go
 * to the configured Jira).
 */
export const attachmentOperations: HubOperation[] = [
  {
    method: 'POST', path: 'incidents/:id/attachments', upload: true,
    async handle(req, ctx) {
      const api = new JiraApi(ctx);
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(req.file!.content)], { type: req.file!.mimeType || 'application/octet-stream' }), req.file!.filename);
      const path = `${issuePath(req.params.id!)}/attachments`;
      refuseDotSegments(path);
      let res;
      try {
        res = await request(`${api.siteAddress}${path}`, {
          method: 'POST', dispatcher: api.dispatcher, body: form,
          headers: { accept: 'application/json', 'x-atlassian-token': 'no-check', authorization: api.authorization },
          headersTimeout: ctx.timeoutMs, bodyTimeout: ctx.timeoutMs,
        });
      } catch (err) {
        throw new ApiError('PROVIDER_TIMEOUT', `Jira did not answer: ${classifyNetworkError(err, new URL(api.siteAddress), ctx.timeoutMs).message}`);
      }
      const text = await res.body.text();
      const contentType = String(res.headers['content-type'] ?? '');
      if (res.statusCode >= 300) throw toHubError({ status: res.statusCode, headers: res.headers, text, contentType }, 'POST', path);
      return { kind: 'object', body: parseJiraJson({ status: res.statusCode, headers: res.headers, text, contentType }, 'POST', path) };
    },
  },
  {
    method: 'GET', path: 'incidents/:id/attachments', list: true,
    async handle(req, ctx) {
      const issue = await new JiraApi(ctx).get<{ fields: { attachment?: unknown[] } }>(`${issuePath(req.params.id!)}?fields=attachment`);
      const items = issue.fields.attachment ?? [];
      const { startAt, pageSize } = req.paging;
      const page = items.slice(startAt, startAt + pageSize);
      return { kind: 'list', items: page, total: items.length, nextStartAt: startAt + page.length < items.length ? startAt + page.length : undefined };
    },
  },
  {
    method: 'GET', path: 'attachments/:id',
    async handle(req, ctx) {
      const api = new JiraApi(ctx);
      const bean = await api.get<AttachmentBean>(`/rest/api/2/attachment/${enc(req.params.id!)}`);
      if (!req.accept.includes('application/octet-stream')) return { kind: 'object', body: bean };
      const path = `/secure/attachment/${enc(bean.id)}/${enc(bean.filename)}`;
      let res;
      try {
        res = await request(`${api.siteAddress}${path}`, {
          method: 'GET', dispatcher: api.dispatcher, headersTimeout: ctx.timeoutMs, bodyTimeout: ctx.timeoutMs,
          headers: { authorization: api.authorization },
        });
      } catch (err) {
        throw new ApiError('PROVIDER_TIMEOUT', `Jira did not answer: ${classifyNetworkError(err, new URL(api.siteAddress), ctx.timeoutMs).message}`);
      }
      if (res.statusCode !== 200) {
        const text = await res.body.text();
        throw toHubError({ status: res.statusCode, headers: res.headers, text, contentType: String(res.headers['content-type'] ?? '') }, 'GET', path);
      }
      return { kind: 'stream', stream: res.body, contentType: bean.mimeType ?? 'application/octet-stream', filename: bean.filename, length: bean.size };
    },
  },
  {
    method: 'DELETE', path: 'attachments/:id',
    async handle(req, ctx) {
      await new JiraApi(ctx).delete(`/rest/api/2/attachment/${enc(req.params.id!)}`);
      return { kind: 'empty' };
    },
  },
];
