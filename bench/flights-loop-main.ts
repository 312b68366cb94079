/** The hand-written loop as a command, for whole-process timing: `node bench/flights-loop-main.ts <input> <outDir>`. */
import { handwrittenDeparturesPerOriginHour } from './flights-handwritten.ts';

const [input, out] = process.argv.slice(2);
if (input === undefined || out === undefined) throw new Error('usage: flights-loop-main.ts <input> <outDir>');
await handwrittenDeparturesPerOriginHour(input, out);
