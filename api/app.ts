import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { MikroORM } from '@mikro-orm/postgresql';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { FilesService } from '../services/files.service.js';
import { ExtractService } from '../services/extract.service.js';
import { RecordsService } from '../services/records.service.js';
import { extractRoutes } from './routes/extract.routes.js';
import { LeadsService } from '../services/leads.service.js';
import { DealProjectsService } from '../services/deal-projects.service.js';
import { CrmUpdatesService } from '../services/crm-updates.service.js';
import { SchedulesService } from '../services/schedules.service.js';
import { TransfersService } from '../services/transfers.service.js';
import type { ContentStore } from '../storage/content-store.js';
import { SyncsService, type TemporalSettings } from '../services/syncs.service.js';
import { registerApiKeyAuth } from './auth.js';
import { registerFormBodies } from './form-body.js';
import { acceptWebhookToken } from './webhook-auth.js';
import { siRequestsRoutes } from './routes/si-requests.routes.js';
import { crmUpdatesRoutes } from './routes/crm-updates.routes.js';
import { frameworkErrorHandler, registerErrorHandler } from './error-handler.js';
import { registerTextGuard } from './text-guard.js';
import { transfersRoutes } from './routes/transfers.routes.js';
import { connectionsRoutes } from './routes/connections.routes.js';
import { filesRoutes } from './routes/files.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { leadsRoutes } from './routes/leads.routes.js';
import { schedulesRoutes } from './routes/schedules.routes.js';
import { syncsRoutes } from './routes/syncs.routes.js';

export interface AppDeps {
  orm: MikroORM;
  temporal: TemporalSettings;
  apiKeys: string[];
  content: ContentStore;
  syncs: SyncsService;
  schedules: SchedulesService;
  files: FilesService;
  leads: LeadsService;
  dealProjects: DealProjectsService;
  crmUpdates: CrmUpdatesService;
  transfers: TransfersService;
  extract: ExtractService;
  records: RecordsService;
  /** `stream`: where log lines go (stdout by default). */
  logger?: boolean | { level: string; stream?: { write(line: string): void } };
}

/** `?token=…` in a logged URL becomes `?token=[redacted]`. */
export const redactToken = (url: string) => url.replace(/([?&]token=)[^&#]*/gi, '$1[redacted]');

export type AppInput = Omit<
  AppDeps,
  'syncs' | 'schedules' | 'files' | 'leads' | 'dealProjects' | 'crmUpdates' | 'transfers' | 'extract' | 'records'
>;

/** Builds the API without listening: server.ts listens, tests inject. */
export async function buildApp(input: AppInput): Promise<FastifyInstance> {
  const em = () => input.orm.em.fork();
  const syncs = new SyncsService(input.temporal, em);
  const dealProjects = new DealProjectsService(input.temporal, em);
  const deps: AppDeps = {
    ...input,
    syncs,
    schedules: new SchedulesService(input.temporal, em),
    files: new FilesService(em, input.content),
    leads: new LeadsService(em, syncs, (msg) => app.log.warn(msg)),
    dealProjects,
    crmUpdates: new CrmUpdatesService(input.temporal, em, dealProjects),
    transfers: new TransfersService(syncs, em),
    extract: new ExtractService(em),
    records: new RecordsService(syncs, em),
  };
  const app = Fastify({
    // Never log bearer keys, webhook tokens (header or `?token=`) or other credentials that arrive with a request.
    logger: deps.logger
      ? {
          ...(typeof deps.logger === 'object' ? deps.logger : {}),
          redact: ['req.headers.authorization', 'req.headers["x-webhook-token"]'],
          serializers: {
            req: (req: { method: string; url: string }) => ({ method: req.method, url: redactToken(req.url) }),
          },
        }
      : false,
    frameworkErrors: frameworkErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'crm-sync API', version: '0.1.0', description: 'Starts and inspects durable CRM sync workflows.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  registerApiKeyAuth(app, deps.apiKeys, (req) => acceptWebhookToken(deps.orm, req));
  registerFormBodies(app);
  registerTextGuard(app);
  await app.register(healthRoutes(deps));
  await app.register(connectionsRoutes(deps));
  await app.register(syncsRoutes(deps));
  await app.register(schedulesRoutes(deps));
  await app.register(filesRoutes(deps));
  await app.register(leadsRoutes(deps));
  await app.register(siRequestsRoutes(deps));
  await app.register(crmUpdatesRoutes(deps));
  await app.register(transfersRoutes(deps));
  await app.register(extractRoutes(deps));
  return app;
}
