import { queryString } from '../../../platform/vendor-http/query-string.ts';
import type { HubOperation } from '../../../hubs/hub-contract.ts';
import { pageInMemory } from '../../../hubs/paging.ts';
import { ApiError } from '../../../platform/errors.ts';
import { issuePath, readIssue } from './issues.ts';
import { RedmineApi, enc } from './redmine-api.ts';

interface Attachment {
  id: number;
  filename: string;
  filesize?: number;
  content_type?: string;
  content_url?: string;
  author?: { id: number };
}

/**
 * Attachments (https://www.redmine.org/projects/redmine/wiki/Rest_api#Attaching-files): the
 * bytes are uploaded first (`POST /uploads.json`, octet-stream) for a token, which the issue's
 * update then attaches. Bytes are read from `/attachments/download/{id}/{name}` under the
 * instance's siteAddress, never from the absolute `content_url`, so credentials only ever go
 * to the configured Redmine.
 */
export const attachmentOperations: HubOperation[] = [
  {
    method: 'POST',
    path: 'incidents/:id/attachments',
    upload: true,
    async handle(req, ctx) {
      const api = new RedmineApi(ctx);
      const file = req.file!;
      const contentType = file.mimeType || 'application/octet-stream';
      // Checked first, so that no upload is left behind for an issue that does not exist.
      const before = new Set(((await readIssue(api, req.params.id!, 'attachments')).attachments as Attachment[] | undefined)?.map((a) => a.id));
      const upload = await api.post<{ upload: { token: string } }>(`/uploads.json${queryString({ filename: file.filename })}`, file.content, {
        'content-type': 'application/octet-stream',
      });
      await api.put(issuePath(req.params.id!), { issue: { uploads: [{ token: upload.upload.token, filename: file.filename, content_type: contentType }] } });
      const attached = ((await readIssue(api, req.params.id!, 'attachments')).attachments as Attachment[] | undefined)?.find(
        (a) => !before.has(a.id) && a.filename === file.filename,
      );
      if (!attached) throw new ApiError('PROVIDER_ERROR', `Redmine took the upload for issue ${req.params.id} but does not list it`);
      return { kind: 'object', body: attached };
    },
  },
  {
    method: 'GET',
    path: 'incidents/:id/attachments',
    list: true,
    async handle(req, ctx) {
      const issue = await readIssue(new RedmineApi(ctx), req.params.id!, 'attachments');
      return pageInMemory((issue.attachments as Attachment[] | undefined) ?? [], req);
    },
  },
  {
    method: 'GET',
    path: 'attachments/:id',
    async handle(req, ctx) {
      const api = new RedmineApi(ctx);
      const { attachment } = await api.get<{ attachment: Attachment }>(`/attachments/${enc(req.params.id!)}.json`);
      if (!req.accept.includes('application/octet-stream')) return { kind: 'object', body: attachment };
      const download = await api.stream(`/attachments/download/${enc(String(attachment.id))}/${enc(attachment.filename)}`);
      return {
        kind: 'stream',
        stream: download.body,
        contentType: attachment.content_type ?? download.contentType,
        filename: attachment.filename,
        length: download.length ?? attachment.filesize,
      };
    },
  },
  {
    method: 'DELETE',
    path: 'attachments/:id',
    async handle(req, ctx) {
      await new RedmineApi(ctx).delete(`/attachments/${enc(req.params.id!)}.json`);
      return { kind: 'empty' };
    },
  },
];
