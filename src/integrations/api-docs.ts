import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { CallbackModule } from '../callback/callback.module';
import { IntegrationsModule } from './integrations.module';

const METHOD_COLOURS: Record<string, string> = {
  get: '#1d4ed8',
  post: '#047857',
  put: '#b45309',
  patch: '#0f766e',
  delete: '#b91c1c',
  head: '#6d28d9',
  options: '#1e40af',
};
const API_DOCS_CSS = [
  '.swagger-ui .info .title small.version-stamp { background-color: #3f6212; }',
  ...Object.entries(METHOD_COLOURS).map(
    ([method, colour]) =>
      `.swagger-ui .opblock.opblock-${method} .opblock-summary-method { background: ${colour}; } .swagger-ui .opblock.opblock-${method} { border-color: ${colour}; }`,
  ),
  '.swagger-ui .btn.authorize, .swagger-ui .btn.authorize span { color: #047857; border-color: #047857; }',
  '.swagger-ui .btn.authorize svg { fill: #047857; }',
].join('\n');

/** The OpenAPI document comes from the controller's decorators; /api/docs shows it, /api/openapi.json serves it. */
export function setUpApiDocs(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Gwar integrations API')
    .setDescription(
      'Post messages into a Gwar group from your own systems or website. An administrator or director creates the ' +
        "group's API token in the group's gear → API token. Errors are RFC 9457 problem+json documents.",
    )
    .setVersion('1')
    // Relative: the document is served by the very server it describes, whatever its address.
    .addServer('/', 'This Gwar server')
    .setLicense('Proprietary: the API of your Gwar deployment', '/api/docs')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Widget-Key', description: 'The Livechat widget’s public key (Callback requests)' }, 'widgetKey')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'gwar_ token', description: 'The group API token (gwar_…): an opaque secret' })
    .build();
  const document = SwaggerModule.createDocument(app, config, { include: [IntegrationsModule, CallbackModule] });
  // Only the public API belongs in it, not the token screens that live beside it.
  for (const path of Object.keys(document.paths)) if (!path.startsWith('/api/')) delete document.paths[path];
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/openapi.json',
    customSiteTitle: 'Gwar API',
    // Deep links put a link inside each operation's toggle button (nested-interactive); the colours below are
    // Swagger UI's own, darkened to WCAG AA contrast.
    swaggerOptions: { deepLinking: false },
    customCss: API_DOCS_CSS,
    customJs: '/assets/js/api-docs.js',
  });
}
