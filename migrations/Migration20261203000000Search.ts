import { Migration } from '@mikro-orm/migrations';

/**
 * Full-text search of messages in Polish and English. PostgreSQL ships no Polish dictionary (neither the
 * machine's 15 nor the embedded 18: `select cfgname from pg_ts_config` has no polish), and a Hunspell one
 * needs files in the server's share directory, which the embedded server and a hosted one do not let us
 * place. So a message's vector holds two sets of lexemes:
 * - English: the built-in snowball `english` config (invoices → invoic, running → run);
 * - Polish: every word lowercased, folded to ASCII (ą→a, ł→l…, so a query typed without diacritics matches
 *   too) and stemmed by `gwar_pl_stem`, a small suffix stripper for the common noun and adjective endings,
 *   which also evens out the t/c and r/rz alternations (oferta/ofercie, faktura/fakturze).
 * A query word matches either set; the last word also matches as a prefix (results while typing).
 * The vector is a stored generated column, so every insert and edit keeps it right whatever path it takes,
 * and a deleted message (its body emptied) is found by nothing.
 */
export class Migration20261203000000Search extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function gwar_fold(t text) returns text language sql immutable parallel safe strict
      return translate(lower(t), 'ąćęłńóśźżáàâäãåçčďéèêëěíìîïľĺňñôöõŕřšťúùûüůýÿž', 'acelnoszzaaaaaaccdeeeeeiiiillnnooorrstuuuuuyyz')`);
    // Every word of a folded text loses the longest listed ending that leaves at least three letters (the
    // lookbehind; the regexp finds the leftmost, so the longest, ending), then rz→r, dz→d and c→t at a word's end.
    // One pass over the whole text, not a call per word: about a quarter of the cost.
    this.addSql(`create function gwar_pl_stem(t text) returns text language sql immutable parallel safe strict
      return regexp_replace(regexp_replace(regexp_replace(t,
        '(?<=\\m[a-z]{3}[a-z]*)(iami|iach|owie|iego|iemu|ami|ach|owi|ego|emu|ych|ich|ymi|imi|iem|iom|ow|om|em|ym|im|ie|ia|iu|ej|a|e|i|o|u|y)\\M', '', 'g'),
        '([rd])z\\M', '\\1', 'g'), '([a-z]{3})c\\M', '\\1t', 'g')`);
    this.addSql(`create function gwar_search_vector(body text) returns tsvector language sql immutable parallel safe strict
      return to_tsvector('pg_catalog.english', body) || to_tsvector('pg_catalog.simple', gwar_pl_stem(gwar_fold(body)))`);
    this.addSql(`create function gwar_search_term(lexeme text, prefix boolean) returns tsquery language sql immutable parallel safe strict
      return ('''' || replace(replace(lexeme, '\\', '\\\\'), '''', '''''') || '''' || case when prefix then ':*' else '' end)::tsquery`);
    // Up to eight words of the query, each matching in English or in Polish; all of them (to find) or any (to highlight).
    this.addSql(`create function gwar_search_query(q text, match_all boolean) returns tsquery language plpgsql immutable parallel safe strict
      set search_path from current as $f$
      declare
        result tsquery;
        part tsquery;
        word record;
        last int;
      begin
        select max(positions[1]) into last from unnest(to_tsvector('pg_catalog.simple', left(q, 200)));
        for word in
          select lexeme, positions[1] as at from unnest(to_tsvector('pg_catalog.simple', left(q, 200)))
           where length(lexeme) > 1 or lexeme ~ '[0-9]' order by positions[1] limit 8
        loop
          part := plainto_tsquery('pg_catalog.english', word.lexeme) || gwar_search_term(gwar_pl_stem(gwar_fold(word.lexeme)), false);
          if word.at = last and length(word.lexeme) >= 3 then part := part || gwar_search_term(gwar_fold(word.lexeme), true); end if;
          result := case when result is null then part when match_all then result && part else result || part end;
        end loop;
        return result;
      end
      $f$`);
    // ts_headline parses the text with 'simple', so it is given the text's own words that matched (in either language).
    this.addSql(`create function gwar_search_headline(body text, any_word tsquery, options text) returns text language sql immutable parallel safe strict
      return ts_headline('pg_catalog.simple', body, coalesce((
        select string_agg(gwar_search_term(l.lexeme, false)::text, ' | ')::tsquery
          from unnest(to_tsvector('pg_catalog.simple', body)) l
         where gwar_search_vector(l.lexeme) @@ any_word), ''::tsquery), options)`);
    this.addSql(`alter table "message" add column "search_vector" tsvector generated always as (gwar_search_vector("body")) stored`);
    this.addSql(`create index "message_search" on "message" using gin ("search_vector")`);
  }
}
