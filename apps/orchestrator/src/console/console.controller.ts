import { readFile } from 'node:fs/promises';
import { Public } from '@app/auth';
import { join, resolve } from 'node:path';
import { Controller, Get, Header, Inject, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { DomainException } from '@app/edge';
import { APP_CONFIG, AppConfig } from '@app/config';

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  map: 'application/json; charset=utf-8',
};
// Only flat, known file names: no path can leave the assets folder.
const ASSET_RE = /^[a-z0-9-]+(\.[a-z0-9]+)*\.(js|css|svg|map)$/;

/**
 * The operator console: one static page and its bundle (built by `npm run build:console` into
 * CONSOLE_ASSETS_DIR), plus the few settings the page needs to find the registry, Grafana and
 * the Swagger UIs. Everything else it does goes through the public APIs.
 */
@ApiExcludeController()
@Controller('console')
export class ConsoleController {
  private readonly dir: string;
  private readonly csp: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.dir = resolve(config.console.assetsDir);
    // The page talks to this origin and the registry only; no inline script, no eval.
    this.csp = [
      "default-src 'self'",
      `connect-src 'self' ${new URL(config.console.registryPublicUrl).origin}`,
      "img-src 'self' data:",
      "style-src 'self'",
      "script-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'none'",
    ].join('; ');
  }

  @Get()
  @Public()
  async page(@Res() reply: FastifyReply): Promise<void> {
    const html = await this.read('index.html');
    await reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', this.csp)
      .header('cache-control', 'no-cache')
      .send(html);
  }

  @Get('settings.json')
  @Public()
  @Header('cache-control', 'no-cache')
  settings() {
    const registry = this.config.console.registryPublicUrl;
    return {
      registry_url: registry,
      grafana_url: this.config.console.grafanaUrl,
      swagger: [
        { name: 'Orchestrator', url: '/docs' },
        { name: 'Registry', url: `${registry}/docs` },
      ],
    };
  }

  @Get('assets/:file')
  @Public()
  async asset(@Param('file') file: string, @Res() reply: FastifyReply): Promise<void> {
    if (!ASSET_RE.test(file))
      throw new DomainException('not_found', 'CONSOLE_ASSET_NOT_FOUND', `file: no asset ${file}`);
    const body = await this.read(file);
    await reply
      .header('content-type', TYPES[file.slice(file.lastIndexOf('.') + 1)])
      .header('cache-control', 'no-cache')
      .send(body);
  }

  private async read(file: string): Promise<Buffer> {
    try {
      return await readFile(join(this.dir, file));
    } catch {
      throw new DomainException(
        'not_found',
        'CONSOLE_ASSET_NOT_FOUND',
        `file: ${file} is not in ${this.dir} (build the console with npm run build:console)`,
      );
    }
  }
}
