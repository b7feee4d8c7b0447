import { TestDatabases } from '@backstage/backend-test-utils';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';
import { insertRows } from './insertRows';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: testDatabaseIds });

describe.each(databases.eachSupportedId())('insertRows (%s)', id => {
  it('stores rows as the query builder does, in chunks, upserting on conflict, also after the table changed', async () => {
    const knex = await databases.init(id);
    await knex.schema.createTable('items', table => {
      table.string('id').primary();
      table.string('name').notNullable();
      table.boolean('active').notNullable();
      table.dateTime('updated_at').notNullable();
    });
    const when = new Date('2026-12-02T10:00:00.000Z');
    // Three chunks of 100 and a last one of 50: every full chunk runs the same statement.
    const rows = Array.from({ length: 350 }, (_, i) => ({ id: `i-${String(i).padStart(3, '0')}`, name: `item ${i}`, active: i % 2 === 0, updated_at: when }));
    await knex.transaction(tx => insertRows(tx, 'items', rows, { conflict: ['id'], sqliteRows: 100 }));
    await knex('items').insert({ id: 'builder', name: 'by the query builder', active: true, updated_at: when });

    const stored = await knex('items').orderBy('id');
    expect(stored).toHaveLength(351);
    const byBuilder = stored.find(r => r.id === 'builder');
    const byInsertRows = stored.find(r => r.id === 'i-000');
    // Dates and booleans come back in the same form, whoever wrote them.
    expect(byInsertRows.updated_at).toEqual(byBuilder.updated_at);
    expect(byInsertRows.active).toEqual(byBuilder.active);
    expect(stored.find(r => r.id === 'i-349').name).toBe('item 349');

    // A column added between two writes: the same statements still write what they name.
    await knex.schema.alterTable('items', table => table.string('note'));
    const renamed = rows.map(r => ({ ...r, name: `${r.name} again` }));
    await knex.transaction(tx => insertRows(tx, 'items', renamed, { conflict: ['id'], sqliteRows: 100 }));
    expect(Number((await knex('items').count({ n: '*' }))[0].n)).toBe(351);
    expect((await knex('items').where({ id: 'i-123' }).first()).name).toBe('item 123 again');
  });

  it('rolls back with the transaction it ran in', async () => {
    const knex = await databases.init(id);
    await knex.schema.createTable('items', table => {
      table.string('id').primary();
      table.string('name').notNullable();
    });
    const rows = Array.from({ length: 150 }, (_, i) => ({ id: `i-${i}`, name: `item ${i}` }));
    await expect(
      knex.transaction(async tx => {
        await insertRows(tx, 'items', rows, { sqliteRows: 100 });
        throw new Error('the deployment failed');
      }),
    ).rejects.toThrow('the deployment failed');
    expect(await knex('items')).toEqual([]);
  });
});
