import type { FastifyInstance } from 'fastify';
import type { Emulator } from '../emulator.ts';
import type { Attachment, Issue } from '../state/model.ts';
import { caller } from '../server.ts';
import { jiraError } from '../replies.ts';
import { visibleIssue } from './helpers.ts';

/** Attachments (jira-server.md §4.7): part `file`, the XSRF header, an array response, downloadable bytes. */
export function registerAttachmentRoutes(app: FastifyInstance, em: Emulator): void {
  const ser = () => em.serializer();

  const find = (id: string): { issue: Issue; attachment: Attachment } | undefined => {
    const issue = em.state.issues.get(em.state.attachmentIssue.get(id) ?? '');
    const attachment = issue?.attachments.find((a) => a.id === id);
    return issue && attachment ? { issue, attachment } : undefined;
  };

  app.post('/rest/api/2/issue/:issueIdOrKey/attachments', async (request, reply) => {
    const token = request.headers['x-atlassian-token'];
    if (token !== 'no-check' && token !== 'nocheck') return reply.code(403).type('text/plain;charset=UTF-8').send('XSRF check failed');
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    if (!request.isMultipart()) return jiraError(reply, 415, ['Unsupported Media Type']);
    const created: Attachment[] = [];
    for await (const part of request.parts()) {
      if (part.type !== 'file') continue;
      if (part.fieldname !== 'file') {
        await part.toBuffer();
        continue;
      }
      const content = await part.toBuffer();
      if (content.length > em.config.attachmentLimit)
        return jiraError(reply, 413, [`The file is larger than the attachment size limit of ${em.config.attachmentLimit} bytes.`]);
      created.push(em.domain.addAttachment(caller(request), issue, part.filename || 'attachment', part.mimetype || 'application/octet-stream', content));
    }
    if (!created.length) return jiraError(reply, 400, ['No file was attached; send the file in a part named "file".']);
    return created.map((a) => ser().attachment(a));
  });

  app.get('/rest/api/2/attachment/meta', async () => ({ enabled: true, uploadLimit: em.config.attachmentLimit }));

  app.get('/rest/api/2/attachment/:id', async (request, reply) => {
    const found = find((request.params as { id: string }).id);
    if (!found || !em.state.canBrowse(caller(request), em.state.projects.get(found.issue.fields.project)!)) {
      return jiraError(reply, 404, [`The attachment with id '${(request.params as { id: string }).id}' does not exist`]);
    }
    return ser().attachment(found.attachment);
  });

  app.delete('/rest/api/2/attachment/:id', async (request, reply) => {
    const found = find((request.params as { id: string }).id);
    if (!found || !em.state.canBrowse(caller(request), em.state.projects.get(found.issue.fields.project)!)) {
      return jiraError(reply, 404, [`The attachment with id '${(request.params as { id: string }).id}' does not exist`]);
    }
    em.domain.deleteAttachment(caller(request), found.issue, found.attachment);
    return reply.code(204).send();
  });

  // The bytes live outside the REST API, at the bean's `content` URL, with the same credentials.
  app.get('/secure/attachment/:id/:filename', async (request, reply) => {
    const found = find((request.params as { id: string }).id);
    if (!found || !em.state.canBrowse(caller(request), em.state.projects.get(found.issue.fields.project)!)) {
      return reply.code(404).type('text/html;charset=UTF-8').send('<html><body>Attachment not found</body></html>');
    }
    const a = found.attachment;
    return reply
      .type(a.mimeType)
      .header('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.filename)}`)
      .send(a.content);
  });
}
