import { LoadFieldsDto } from '../../agents/dto/load-fields.dto';

/** The optional load a heartbeat may carry. */
export class HeartbeatDto extends LoadFieldsDto {}
