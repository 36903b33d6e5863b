DROP TABLE placements;
DROP TABLE routing_lines;
DROP TABLE routing_runs;
DROP TABLE processes;
