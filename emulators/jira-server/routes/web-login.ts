import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Emulator } from '../emulator.ts';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(action: string, message: string | undefined): string {
  return `<!DOCTYPE html>
<html><head><title>Log in - Jira</title></head><body>
<h1>Log in</h1>
${message ? `<p class="error">${escapeHtml(message)}</p>\n` : ''}<form method="post" action="${escapeHtml(action)}">
<label>Username <input name="os_username" autocomplete="username"></label>
<label>Password <input name="os_password" type="password" autocomplete="current-password"></label>
<button type="submit">Log in</button>
</form>
</body></html>
`;
}

/**
 * Jira's web login, as far as the REST dialect depends on it: a user in the CAPTCHA state
 * (jira-server.md §3.2) gets out of it only by logging in here, where Jira shows and checks the
 * CAPTCHA. The emulator shows none: a correct username and password clear the lockout, as a
 * solved CAPTCHA and a correct login do in Jira. A wrong password counts as a failed login.
 */
export function registerWebLoginRoutes(app: FastifyInstance, em: Emulator): void {
  const anonymous = { config: { anonymous: true } };
  const action = () => `${em.config.contextPath}/login.jsp`;
  const html = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html;charset=UTF-8').send(body);

  app.register(async (web) => {
    web.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );

    web.get('/login.jsp', anonymous, async (_request, reply) => html(reply, 200, page(action(), undefined)));

    web.post('/login.jsp', anonymous, async (request, reply) => {
      const form = (request.body ?? {}) as { os_username?: string; os_password?: string };
      const user = form.os_username ? em.state.userByName(form.os_username) : undefined;
      if (!user?.active || user.password !== form.os_password) {
        if (user) {
          user.failedLogins++;
          if (em.config.lockoutThreshold > 0 && user.failedLogins >= em.config.lockoutThreshold) user.captcha = true;
        }
        reply.header('X-Seraph-LoginReason', 'AUTHENTICATED_FAILED');
        return html(reply, 200, page(action(), 'Sorry, your username and password are incorrect - please try again.'));
      }
      user.failedLogins = 0;
      user.captcha = false;
      reply.header('X-Seraph-LoginReason', 'OK');
      reply.header('Set-Cookie', `JSESSIONID=${em.sessions.create(user)}; Path=${em.config.contextPath || '/'}; HttpOnly`);
      return html(reply, 200, `<!DOCTYPE html>\n<html><head><title>Jira</title></head><body><p>Logged in as ${escapeHtml(user.name)}.</p></body></html>\n`);
    });
  });
}
