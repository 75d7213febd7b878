import 'reflect-metadata'
import { NestFactory } from '@nestjs/core'
import { AppModule } from './app.module.js'

// PORT=0 picks a free port; the e2e tests read the URL from the first line printed.
async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] })
  // SIGTERM and SIGINT close the app, and so the cache, cleanly.
  app.enableShutdownHooks()
  await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1')
  console.log(`listening on ${await app.getUrl()}`)
}

void bootstrap()
