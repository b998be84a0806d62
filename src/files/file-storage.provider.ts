import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { FILE_STORAGE, FileStorage } from './file-storage';

/** The storage and the size limit, for the controller. */
@Injectable()
export class FileStorageProvider {
  constructor(
    @Inject(FILE_STORAGE) readonly files: FileStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get maxBytes(): number {
    return this.config.fileMaxBytes;
  }
}
