import { defineEntity, p } from '@mikro-orm/postgresql';

/** The cached access token of a connection, shared by all workers; the token itself is encrypted at rest. */
export const OAuthTokenSchema = defineEntity({
  name: 'OAuthToken',
  tableName: 'oauth_tokens',
  properties: {
    connectionId: p.string().length(63).primary(),
    accessTokenEnc: p.text(),
    apiDomain: p.string().length(255),
    expiresAt: p.datetime(),
    refreshedAt: p.datetime(),
    refreshCount: p.integer().default(0),
  },
});
export class OAuthToken extends OAuthTokenSchema.class {}
OAuthTokenSchema.setClass(OAuthToken);
