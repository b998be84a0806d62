import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PresenceModule } from '../presence/presence.module';
import { SecurityModule } from '../security/security.module';
import { DiskFileStorage, FILE_STORAGE } from './file-storage';
import { FileStorageProvider } from './file-storage.provider';
import { FilesController } from './files.controller';
import { UploadsService } from './uploads.service';

@Module({
  imports: [ChatModule, PresenceModule, SecurityModule],
  controllers: [FilesController],
  providers: [
    { provide: FILE_STORAGE, useFactory: (config: AppConfig) => new DiskFileStorage(config.filesDir), inject: [APP_CONFIG] },
    FileStorageProvider,
    UploadsService,
  ],
  exports: [UploadsService, FileStorageProvider],
})
export class FilesModule {}
