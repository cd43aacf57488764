// A tiny host for the core tests: a `note` entity, its migration, a service that raises a before/after event
// around a transactional write, and the module that registers them.
import {
  EventErrorReporter,
  inject,
  injectable,
  Module,
  RegisterModule,
  Storage,
  SyncEventEmitter,
  type Newable,
  type SyncEvent,
} from '@syncbus/core';
import {
  Column,
  Entity,
  PrimaryGeneratedColumn,
  Table,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';

@Entity('note')
export class Note {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 36, unique: true })
  guid!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text', default: '' })
  body!: string;

  @Column({ type: 'integer', default: 0 })
  revision!: number;

  @Column({ type: 'boolean', default: false })
  pinned!: boolean;

  @Column({ type: 'simple-json', nullable: true })
  tags!: string[] | null;

  // `Date` lets each engine pick its own timestamp type (SQLite `datetime`, PostgreSQL `timestamp`).
  @Column({ type: Date })
  createdAt!: Date;
}

/**
 * Creates the `note` table with the QueryRunner API only, so the one migration runs on SQLite and PostgreSQL.
 */
export class CreateNoteTable1700000000000 implements MigrationInterface {
  name = 'CreateNoteTable1700000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const driver = queryRunner.connection.driver;
    await queryRunner.createTable(
      new Table({
        name: 'note',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'guid', type: 'varchar', length: '36', isUnique: true },
          { name: 'title', type: 'varchar', length: '200' },
          { name: 'body', type: 'text', default: "''" },
          { name: 'revision', type: 'integer', default: 0 },
          { name: 'pinned', type: 'boolean', default: false },
          { name: 'tags', type: 'text', isNullable: true },
          { name: 'createdAt', type: driver.normalizeType({ type: Date }) },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('note');
  }
}

/** The args of `NoteEvents.create`; a before-handler may amend them. */
export interface NoteCreateArgs {
  guid: string;
  title: string;
  tags?: string[];
}

/** The fixture's event emitters, which a real package keeps to itself (not exported from its index). */
@injectable()
export class NoteEventEmitters {
  readonly create: SyncEventEmitter<NoteCreateArgs>;

  constructor(@inject(EventErrorReporter) reportError: EventErrorReporter) {
    this.create = new SyncEventEmitter<NoteCreateArgs>('notes.create', reportError);
  }
}

/** The fixture's one event, as a real events class would declare it: to handle and subscribe to. */
@injectable()
export class NoteEvents {
  readonly create: SyncEvent<NoteCreateArgs>;

  constructor(@inject(NoteEventEmitters) emitters: NoteEventEmitters) {
    this.create = emitters.create.event;
  }
}

/** Raises `before`, writes in one transaction, then emits `after`: the pattern every syncbus operation follows. */
@injectable()
export class NoteService {
  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(NoteEvents) private readonly events: NoteEvents,
    @inject(NoteEventEmitters) private readonly emitters: NoteEventEmitters,
  ) {}

  async create(args: NoteCreateArgs): Promise<Note> {
    const final = await this.events.create.before.raise(args);
    const note = await this.storage.transaction(async (manager) => {
      const row = manager.create(Note, {
        guid: final.guid,
        title: final.title,
        tags: final.tags ?? null,
        createdAt: new Date(),
      });
      return manager.save(row);
    });
    this.emitters.create.emitAfter(final);
    return note;
  }
}

@RegisterModule({
  entities: [Note],
  migrations: [CreateNoteTable1700000000000],
  providers: [NoteEventEmitters, NoteEvents, NoteService],
})
export class NoteModule extends Module {
  constructor() {
    super('Notes');
  }
}

/** The classes a kernel needs to host the fixture. */
export const noteModules: readonly Newable[] = [NoteModule];
