import { Module } from '@nestjs/common';
import { BusAdminController } from './bus-admin.controller';
import { BusAdminService } from './bus-admin.service';

@Module({ controllers: [BusAdminController], providers: [BusAdminService] })
export class BusAdminModule {}
