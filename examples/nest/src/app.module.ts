import { DiskCacheInterceptor, DiskCacheModule } from '@diskcache/nest'
import { Module } from '@nestjs/common'
import { ConfigModule, ConfigService } from '@nestjs/config'
import { APP_INTERCEPTOR } from '@nestjs/core'
import { ProductsController } from './products.controller.js'

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    // Every process started with the same CACHE_DIR shares the cached responses.
    DiskCacheModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        directory: config.get('CACHE_DIR', '.cache/nest-example'),
        ttl: Number(config.get('CACHE_TTL_MS', 60_000)),
        namespace: 'example',
      }),
    }),
  ],
  controllers: [ProductsController],
  // Every GET handler is cached; @CacheTags, @CacheTTL and @CacheVary tune it per route.
  providers: [{ provide: APP_INTERCEPTOR, useClass: DiskCacheInterceptor }],
})
export class AppModule {}
