import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { SecurityModule } from '../security/security.module';
import { AuthMiddleware } from './auth.middleware';
import { CompaniesController } from './companies.controller';
import { CompaniesService } from './companies.service';
import { Company } from './company.entity';
import { InvitationsController } from './invitations.controller';
import { InvitationsService } from './invitations.service';
import { Session } from './session.entity';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';
import { SetupController } from './setup.controller';
import { SetupService } from './setup.service';
import { UserAccessController } from './user-access.controller';
import { User } from './user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [MikroOrmModule.forFeature([Company, User, Session]), SecurityModule],
  controllers: [SetupController, SessionsController, InvitationsController, UsersController, UserAccessController, CompaniesController],
  providers: [SessionsService, SetupService, UsersService, InvitationsService, CompaniesService, AuthMiddleware],
  exports: [SessionsService, SetupService, UsersService, CompaniesService, AuthMiddleware],
})
export class AccountsModule {}
