import { Type, type Static } from 'typebox';

/** The legacy console login (open-connectors-api.md §1.4), shared by the routes and the console. */

export const LoginBody = Type.Object(
  {
    j_username: Type.String({ maxLength: 320, description: "The user's e-mail" }),
    j_password: Type.String({ maxLength: 200 }),
  },
  { title: 'ConsoleLogin' },
);

export const LoginJson = Type.Object({ email: Type.String(), firstName: Type.String(), lastName: Type.String() }, { title: 'ConsoleUser' });

export const SecretsJson = Type.Object(
  {
    user: Type.String({ description: 'The user secret' }),
    company: Type.String({ description: 'The organization secret' }),
  },
  { title: 'Secrets' },
);
export type SecretsJson = Static<typeof SecretsJson>;
