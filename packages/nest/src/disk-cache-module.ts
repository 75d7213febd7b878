import { CacheModule } from '@nestjs/cache-manager'
import { type DynamicModule, type FactoryProvider, type ModuleMetadata, Module } from '@nestjs/common'
import { DiskCacheInterceptor } from './disk-cache-interceptor.js'
import { checkDiskCacheOptions, type DiskCacheOptions, diskCacheOptions } from './disk-cache-options.js'
import { DiskCacheService } from './disk-cache-service.js'

/** `DiskCacheModule.forRootAsync()`'s argument: a factory of DiskCacheOptions, Nest-style. */
export interface DiskCacheModuleAsyncOptions {
  /** Modules the factory's injected providers come from, like `[ConfigModule]`. */
  imports?: ModuleMetadata['imports']
  /** Providers passed to `useFactory`, in order, like `[ConfigService]`. */
  inject?: FactoryProvider['inject']
  /** Returns the options (at app start, once per app). */
  useFactory: (...args: any[]) => DiskCacheOptions | Promise<DiskCacheOptions>
  /** Make the cache and DiskCacheService injectable in every module. @default false */
  isGlobal?: boolean
}

/**
 * `@nestjs/cache-manager`'s CacheModule on a disk store, with
 * DiskCacheService and DiskCacheInterceptor. The cache opens when the app
 * starts (each app gets its own connection) and closes with `app.close()`.
 */
@Module({})
export class DiskCacheModule {
  /** Registers the cache with these options; misspelt options throw here, where they are written. */
  static forRoot(options: DiskCacheOptions = {}): DynamicModule {
    checkDiskCacheOptions(options)
    return DiskCacheModule.forRootAsync({ useFactory: () => options, isGlobal: options.isGlobal ?? false })
  }

  /** Registers the cache with options from a factory, for ConfigService and the like. */
  static forRootAsync(options: DiskCacheModuleAsyncOptions): DynamicModule {
    const { imports = [], inject = [], useFactory, isGlobal = false } = options
    const cacheModule = CacheModule.registerAsync({
      imports,
      inject,
      isGlobal,
      useFactory: async (...args: unknown[]) => diskCacheOptions(await useFactory(...args)),
    })
    return {
      module: DiskCacheModule,
      global: isGlobal,
      imports: [cacheModule],
      providers: [DiskCacheService, DiskCacheInterceptor],
      exports: [cacheModule, DiskCacheService, DiskCacheInterceptor],
    }
  }
}
