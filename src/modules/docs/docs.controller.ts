import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { buildOpenApiDocument } from '@app/modules/docs/openapi';
import { SERVICE_VERSION } from '@app/modules/docs/version';
import { Public } from '@app/modules/auth/auth.decorators';

/** The files of swagger-ui-dist the page uses, and their types: a Map, so `constructor` is no asset. */
const SWAGGER_ASSETS = new Map<string, string>([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'application/javascript; charset=utf-8'],
  ['favicon-32x32.png', 'image/png'],
]);

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Risk Threshold Service API</title>
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/docs/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

/** `/docs` (Swagger UI, served from the installed swagger-ui-dist, no CDN) and `/docs/openapi.json`. */
@Public()
@Controller('docs')
export class DocsController {
  private readonly document = JSON.stringify(buildOpenApiDocument(SERVICE_VERSION));
  private readonly assetDir = join(require.resolve('swagger-ui-dist/package.json'), '..');
  private readonly assets = new Map<string, Buffer>();

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  @Get('openapi.json')
  @Header('content-type', 'application/json; charset=utf-8')
  openapi(): string {
    return this.document;
  }

  @Get('assets/init.js')
  @Header('content-type', 'application/javascript; charset=utf-8')
  init(): string {
    return INIT;
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    const type = SWAGGER_ASSETS.get(file);
    if (!type) throw new NotFoundException('No such documentation asset.');
    let body = this.assets.get(file);
    if (body === undefined) {
      body = readFileSync(join(this.assetDir, file));
      this.assets.set(file, body);
    }
    void reply.header('content-type', type).header('cache-control', 'public, max-age=3600');
    return body;
  }
}
