/**
 * Deterministic sample data for the sandbox's two seeded datasources.
 *
 * Everything is generated inside PostgreSQL (generate_series + hashtext-based pseudo-randomness),
 * never row by row from JS and never with Math.random: the same SEED_VERSION always yields
 * the same rows. Bump SEED_VERSION whenever the SQL below changes (it keys the data-dir cache).
 */

export const SEED_VERSION = 'v1';

/** Fixed time span of the airline sample data (inclusive). */
export const SAMPLE_FIRST_DAY = '2024-01-01';
export const SAMPLE_LAST_DAY = '2026-10-31';

/**
 * u(key) in [0,1): a deterministic uniform pseudo-random number from any text key.
 * hashtext is stable for a given PostgreSQL build, which is all we need (the WASM build is pinned).
 */
const HELPERS = `
CREATE OR REPLACE FUNCTION pg_temp.u(k text) RETURNS double precision
  LANGUAGE sql IMMUTABLE AS $$ SELECT ((hashtext(k)::bigint & 2147483647)::double precision) / 2147483648.0 $$;
-- Integer-keyed variant (much faster than hashing text): stream s of key k. Kept as one flat
-- expression so the planner inlines it.
CREATE OR REPLACE FUNCTION pg_temp.h(k bigint, s integer) RETURNS double precision
  LANGUAGE sql IMMUTABLE AS $$
    SELECT (((((k * 1103515245 + s * 12345 + 1013904223) % 2147483648)
             # (((k * 1103515245 + s * 12345 + 1013904223) % 2147483648) >> 13)) * 1597334677) % 2147483648)::double precision
           / 2147483648.0 $$;
`;

export const SAMPLE_SEED_SQL = `
${HELPERS}
CREATE TABLE public.airlines (
  code text PRIMARY KEY,
  name text NOT NULL,
  country text NOT NULL,
  founded_year integer NOT NULL,
  low_cost boolean NOT NULL
);
INSERT INTO public.airlines VALUES
  ('NA','Northwind Air','United States',1962,false),
  ('BL','Bluejay Airlines','United States',1998,true),
  ('AE','Aero Europa','Germany',1955,false),
  ('SK','Skylark','Ireland',1991,true),
  ('MP','Meridian Pacific','Japan',1951,false),
  ('CN','Cordillera Norte','Chile',1947,false),
  ('SA','Savanna Airways','Kenya',1977,false),
  ('GU','Gulf Crescent','United Arab Emirates',1985,false),
  ('TV','Tulip Vliegt','Netherlands',2004,true),
  ('AU','Austral Wings','Australia',1960,false),
  ('MA','Maple Air','Canada',1937,false),
  ('IN','Indus Jet','India',2005,true);

CREATE TABLE public.airports (
  code text PRIMARY KEY,
  name text NOT NULL,
  city text NOT NULL,
  country text NOT NULL,
  region text NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  opened_year integer NOT NULL
);
-- growth: yearly trend of traffic; boost: extra growth that ramps up during 2026 (the
-- "fastest growing last quarter" story); weight: relative airport size.
CREATE TEMP TABLE airport_traits (code text PRIMARY KEY, weight double precision, growth double precision, boost double precision);
INSERT INTO public.airports VALUES
  ('JFK','John F. Kennedy International','New York','United States','North America',40.6413,-73.7781,1948),
  ('LAX','Los Angeles International','Los Angeles','United States','North America',33.9416,-118.4085,1930),
  ('ORD','O''Hare International','Chicago','United States','North America',41.9742,-87.9073,1944),
  ('ATL','Hartsfield-Jackson Atlanta International','Atlanta','United States','North America',33.6407,-84.4277,1926),
  ('DEN','Denver International','Denver','United States','North America',39.8561,-104.6737,1995),
  ('SEA','Seattle-Tacoma International','Seattle','United States','North America',47.4502,-122.3088,1944),
  ('MIA','Miami International','Miami','United States','North America',25.7959,-80.2870,1928),
  ('AUS','Austin-Bergstrom International','Austin','United States','North America',30.1975,-97.6664,1999),
  ('YYZ','Toronto Pearson International','Toronto','Canada','North America',43.6777,-79.6248,1939),
  ('YVR','Vancouver International','Vancouver','Canada','North America',49.1967,-123.1815,1931),
  ('MEX','Mexico City International','Mexico City','Mexico','North America',19.4361,-99.0719,1931),
  ('LHR','Heathrow','London','United Kingdom','Europe',51.4700,-0.4543,1946),
  ('CDG','Charles de Gaulle','Paris','France','Europe',49.0097,2.5479,1974),
  ('FRA','Frankfurt am Main','Frankfurt','Germany','Europe',50.0379,8.5622,1936),
  ('AMS','Schiphol','Amsterdam','Netherlands','Europe',52.3105,4.7683,1916),
  ('MAD','Adolfo Suarez Madrid-Barajas','Madrid','Spain','Europe',40.4983,-3.5676,1931),
  ('DUB','Dublin','Dublin','Ireland','Europe',53.4264,-6.2499,1940),
  ('LIS','Humberto Delgado','Lisbon','Portugal','Europe',38.7742,-9.1342,1942),
  ('IST','Istanbul','Istanbul','Turkey','Europe',41.2753,28.7519,2018),
  ('BER','Berlin Brandenburg','Berlin','Germany','Europe',52.3667,13.5033,2020),
  ('ZRH','Zurich','Zurich','Switzerland','Europe',47.4582,8.5555,1948),
  ('DXB','Dubai International','Dubai','United Arab Emirates','Middle East',25.2532,55.3657,1960),
  ('DOH','Hamad International','Doha','Qatar','Middle East',25.2731,51.6081,2014),
  ('RUH','King Khalid International','Riyadh','Saudi Arabia','Middle East',24.9576,46.6988,1983),
  ('NBO','Jomo Kenyatta International','Nairobi','Kenya','Africa',-1.3192,36.9278,1958),
  ('JNB','O. R. Tambo International','Johannesburg','South Africa','Africa',-26.1367,28.2411,1952),
  ('CAI','Cairo International','Cairo','Egypt','Africa',30.1219,31.4056,1963),
  ('HND','Haneda','Tokyo','Japan','Asia',35.5494,139.7798,1931),
  ('SIN','Changi','Singapore','Singapore','Asia',1.3644,103.9915,1981),
  ('HKG','Hong Kong International','Hong Kong','China','Asia',22.3080,113.9185,1998),
  ('ICN','Incheon International','Seoul','South Korea','Asia',37.4602,126.4407,2001),
  ('BKK','Suvarnabhumi','Bangkok','Thailand','Asia',13.6900,100.7501,2006),
  ('DEL','Indira Gandhi International','Delhi','India','Asia',28.5562,77.1000,1962),
  ('BOM','Chhatrapati Shivaji Maharaj International','Mumbai','India','Asia',19.0896,72.8656,1942),
  ('SYD','Sydney Kingsford Smith','Sydney','Australia','Oceania',-33.9399,151.1753,1920),
  ('AKL','Auckland','Auckland','New Zealand','Oceania',-37.0082,174.7850,1966),
  ('GRU','Sao Paulo-Guarulhos International','Sao Paulo','Brazil','South America',-23.4356,-46.4731,1985),
  ('SCL','Arturo Merino Benitez International','Santiago','Chile','South America',-33.3930,-70.7858,1967),
  ('BOG','El Dorado International','Bogota','Colombia','South America',4.7016,-74.1469,1959),
  ('LIM','Jorge Chavez International','Lima','Peru','South America',-12.0219,-77.1143,1960);
INSERT INTO airport_traits VALUES
  ('JFK',1.00, 0.03, 0.00),('LAX',0.95, 0.02, 0.00),('ORD',0.90,-0.02, 0.00),('ATL',1.00, 0.01, 0.00),
  ('DEN',0.70, 0.06, 0.00),('SEA',0.55, 0.04, 0.00),('MIA',0.60, 0.05, 0.00),('AUS',0.30, 0.18, 0.55),
  ('YYZ',0.60, 0.03, 0.00),('YVR',0.40, 0.02, 0.00),('MEX',0.55, 0.07, 0.00),('LHR',1.00, 0.01, 0.00),
  ('CDG',0.85, 0.00, 0.00),('FRA',0.80,-0.03, 0.00),('AMS',0.75, 0.02, 0.00),('MAD',0.65, 0.05, 0.00),
  ('DUB',0.45, 0.08, 0.00),('LIS',0.40, 0.12, 0.35),('IST',0.85, 0.14, 0.00),('BER',0.40, 0.10, 0.60),
  ('ZRH',0.40,-0.01, 0.00),('DXB',0.95, 0.09, 0.00),('DOH',0.60, 0.08, 0.00),('RUH',0.45, 0.22, 0.80),
  ('NBO',0.30, 0.09, 0.00),('JNB',0.35,-0.04, 0.00),('CAI',0.40, 0.06, 0.00),('HND',0.90, 0.03, 0.00),
  ('SIN',0.80, 0.07, 0.00),('HKG',0.70,-0.05, 0.00),('ICN',0.70, 0.05, 0.00),('BKK',0.60, 0.10, 0.25),
  ('DEL',0.75, 0.15, 0.00),('BOM',0.65, 0.11, 0.00),('SYD',0.60, 0.02, 0.00),('AKL',0.30, 0.01, 0.00),
  ('GRU',0.60, 0.04, 0.00),('SCL',0.35, 0.03, 0.00),('BOG',0.40, 0.09, 0.00),('LIM',0.35, 0.06, 0.00);

CREATE TABLE public.routes (
  id integer PRIMARY KEY,
  airline_code text NOT NULL REFERENCES public.airlines(code),
  origin text NOT NULL REFERENCES public.airports(code),
  destination text NOT NULL REFERENCES public.airports(code),
  distance_km integer NOT NULL,
  launched_on date NOT NULL
);
-- Candidate routes: every ordered airport pair, kept with a probability favouring big airports.
INSERT INTO public.routes
SELECT row_number() OVER (ORDER BY o.code, d.code)::integer,
       (ARRAY['NA','BL','AE','SK','MP','CN','SA','GU','TV','AU','MA','IN'])[1 + floor(pg_temp.u('al' || o.code || d.code) * 12)::int],
       o.code, d.code,
       round(6371 * 2 * asin(sqrt(power(sin(radians(d.lat - o.lat) / 2), 2)
             + cos(radians(o.lat)) * cos(radians(d.lat)) * power(sin(radians(d.lon - o.lon) / 2), 2))))::integer,
       CASE WHEN pg_temp.u('new' || o.code || d.code) < 0.12
            THEN DATE '${SAMPLE_FIRST_DAY}' + floor(pg_temp.u('launch' || o.code || d.code) * 900)::int
            ELSE DATE '2015-01-01' + floor(pg_temp.u('launch' || o.code || d.code) * 3000)::int END
FROM public.airports o JOIN public.airports d ON o.code <> d.code
JOIN airport_traits ot ON ot.code = o.code JOIN airport_traits dt ON dt.code = d.code
WHERE pg_temp.u('route' || o.code || d.code) < 0.05 + 0.30 * ot.weight * dt.weight;

CREATE TABLE public.flights (
  id bigint NOT NULL,
  flight_number text NOT NULL,
  route_id integer NOT NULL,
  airline_code text NOT NULL,
  origin text NOT NULL,
  destination text NOT NULL,
  flight_date date NOT NULL,
  departed_at timestamptz NOT NULL,
  arrived_at timestamptz,
  distance_km integer NOT NULL,
  seats integer NOT NULL,
  passengers integer NOT NULL,
  delay_minutes integer,
  cancelled boolean NOT NULL,
  revenue numeric(12,2) NOT NULL
);

SET work_mem = '256MB';
CREATE TEMP TABLE days AS
  SELECT d::date AS day, (d::date - DATE '${SAMPLE_FIRST_DAY}') AS di,
         d::timestamp AT TIME ZONE 'UTC' AS day_start,
         ((d::date - DATE '${SAMPLE_FIRST_DAY}') / 365.25)::float8 AS t,
         greatest(0, least(1, (d::date - DATE '2025-10-01') / 300.0))::float8 AS ramp,
         -- seasonality: summer peak, February trough, plus a small December bump
         (1 + 0.18 * cos(2 * pi() * (extract(doy FROM d)::float8 - 200) / 365.25)
           + CASE WHEN extract(month FROM d) = 12 THEN 0.08 ELSE 0 END)::float8 AS season,
         (CASE extract(isodow FROM d) WHEN 6 THEN 0.82 WHEN 2 THEN 0.9 WHEN 5 THEN 1.12 ELSE 1 END)::float8 AS dow,
         extract(month FROM d) IN (1, 2, 12) AS winter
  FROM generate_series(DATE '${SAMPLE_FIRST_DAY}', DATE '${SAMPLE_LAST_DAY}', interval '1 day') AS d;

INSERT INTO public.flights
WITH slots AS (
  SELECT r.id AS route_id, r.airline_code, r.origin, r.destination, r.distance_km, d.day, d.day_start, d.season, d.winter,
         r.id::bigint * 2048 + d.di AS slot,
         -- expected flights per day on this route
         (0.2 + 1.3 * ot.weight * dt.weight)
           * exp(ot.growth * d.t + 0.3 * dt.growth * d.t)
           * (1 + ot.boost * d.ramp)
           * d.season * d.dow AS lambda
  FROM public.routes r
  JOIN airport_traits ot ON ot.code = r.origin
  JOIN airport_traits dt ON dt.code = r.destination
  JOIN days d ON d.day >= r.launched_on
),
counted AS (
  SELECT s.*, floor(s.lambda + pg_temp.h(s.slot, 1))::int AS n FROM slots s
),
expanded AS (
  SELECT c.*, k FROM counted c, generate_series(1, c.n) AS k WHERE c.n > 0
),
rnd AS (
  SELECT e.*,
         pg_temp.h(e.slot * 16 + k, 2) AS r1,
         pg_temp.h(e.slot * 16 + k, 3) AS r2,
         pg_temp.h(e.slot * 16 + k, 4) AS r3,
         pg_temp.h(e.slot * 16 + k, 5) AS r4,
         CASE WHEN e.distance_km > 4500 THEN 300 + (e.route_id % 4) * 20
              WHEN e.distance_km > 1500 THEN 180 + (e.route_id % 3) * 15
              ELSE 120 + (e.route_id % 5) * 10 END AS seats0
  FROM expanded e
),
shaped AS (
  SELECT r.*,
         r.day_start + (330 + floor(r.r1 * 1050)) * interval '1 minute' AS dep,
         (r.r3 < 0.012 + CASE WHEN r.winter THEN 0.018 ELSE 0 END) AS is_cancelled,
         least(r.seats0, greatest(12, round(r.seats0 * (0.58 + 0.25 * r.r2 + 0.12 * (r.season - 1))))::int) AS pax,
         CASE WHEN r.r4 < 0.55 THEN floor(r.r4 * 20)::int
              ELSE floor(-ln(greatest(1 - r.r4, 1e-9)) * 28 * r.season)::int END AS delay
  FROM rnd r
)
SELECT row_number() OVER (ORDER BY s.dep, s.slot, s.k),
       s.airline_code || lpad((100 + (s.route_id * 7 + s.k * 131) % 9000)::text, 4, '0'),
       s.route_id, s.airline_code, s.origin, s.destination, s.day, s.dep,
       CASE WHEN s.is_cancelled THEN NULL
            ELSE s.dep + (s.distance_km / 13 + 25 + coalesce(s.delay, 0)) * interval '1 minute' END,
       s.distance_km, s.seats0,
       CASE WHEN s.is_cancelled THEN 0 ELSE s.pax END,
       CASE WHEN s.is_cancelled THEN NULL ELSE s.delay END,
       s.is_cancelled,
       CASE WHEN s.is_cancelled THEN 0
            ELSE round((s.pax * (35 + s.distance_km * (0.07 + 0.05 * s.r2)))::numeric, 2) END
FROM shaped s;

ALTER TABLE public.flights ADD PRIMARY KEY (id);
ALTER TABLE public.flights ADD FOREIGN KEY (route_id) REFERENCES public.routes(id);
ALTER TABLE public.flights ADD FOREIGN KEY (airline_code) REFERENCES public.airlines(code);
ALTER TABLE public.flights ADD FOREIGN KEY (origin) REFERENCES public.airports(code);
ALTER TABLE public.flights ADD FOREIGN KEY (destination) REFERENCES public.airports(code);
CREATE INDEX flights_departed_at_idx ON public.flights (departed_at);
RESET work_mem;
ANALYZE;
`;

export const PRODUCT_SEED_SQL = `
${HELPERS}
CREATE TABLE public.plans (
  id integer PRIMARY KEY,
  name text NOT NULL,
  monthly_price numeric(8,2) NOT NULL
);
INSERT INTO public.plans VALUES (1,'Free',0),(2,'Starter',29),(3,'Team',99),(4,'Business',299);

CREATE TABLE public.users (
  id integer PRIMARY KEY,
  email text NOT NULL,
  country text NOT NULL,
  plan_id integer NOT NULL REFERENCES public.plans(id),
  signed_up_at timestamptz NOT NULL,
  churned_at timestamptz
);
INSERT INTO public.users
SELECT g,
       'user' || g || '@example.com',
       (ARRAY['United States','Germany','United Kingdom','France','Brazil','India','Japan','Canada'])[1 + floor(pg_temp.u('c' || g) * 8)::int],
       CASE WHEN pg_temp.u('p' || g) < 0.55 THEN 1 WHEN pg_temp.u('p' || g) < 0.8 THEN 2
            WHEN pg_temp.u('p' || g) < 0.95 THEN 3 ELSE 4 END,
       TIMESTAMPTZ '2024-01-01 00:00:00+00' + (power(pg_temp.u('s' || g), 0.7) * 1035 * 86400) * interval '1 second',
       NULL
FROM generate_series(1, 2500) AS g;
UPDATE public.users SET churned_at = signed_up_at + (pg_temp.u('ch' || id) * 400) * interval '1 day'
WHERE pg_temp.u('churn' || id) < 0.22;
UPDATE public.users SET churned_at = NULL WHERE churned_at > TIMESTAMPTZ '2026-10-31 23:59:59+00';

CREATE TABLE public.events (
  id bigint PRIMARY KEY,
  user_id integer NOT NULL REFERENCES public.users(id),
  event_name text NOT NULL,
  occurred_at timestamptz NOT NULL,
  properties jsonb NOT NULL
);
INSERT INTO public.events
SELECT row_number() OVER (ORDER BY u.id, k),
       u.id,
       (ARRAY['login','page_view','page_view','page_view','report_created','dashboard_viewed','export','invite_sent'])[1 + floor(pg_temp.u('e' || u.id || '-' || k) * 8)::int],
       u.signed_up_at + (pg_temp.u('t' || u.id || '-' || k)
         * extract(epoch FROM (coalesce(u.churned_at, TIMESTAMPTZ '2026-10-31 23:59:59+00') - u.signed_up_at))) * interval '1 second',
       jsonb_build_object('device', (ARRAY['desktop','mobile','tablet'])[1 + floor(pg_temp.u('dv' || u.id || '-' || k) * 3)::int])
FROM public.users u, generate_series(1, 4 + (u.id % 13)) AS k;
ANALYZE;
`;
