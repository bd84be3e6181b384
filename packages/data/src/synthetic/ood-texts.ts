/** An out-of-domain multiple-choice text set (ARC-like `{question, choices, answerKey}`) for OOD NLL. */
import { makeRng, type Rng, type Seed } from '@softcot/base';
import { shuffle } from '../sampling';
import { checkInt } from './draw';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** ARC-like multiple-choice item. `answerKey` is the label (`A`, `B`, …) of `choices[answerIndex]`. */
export interface OodItem {
  id: string;
  question: string;
  choices: string[];
  answerKey: string;
  answerIndex: number;
  /** Which template made it. */
  template: string;
}

const ANIMALS = ['cat', 'dog', 'bird', 'fish', 'cow', 'fox', 'owl', 'bee'];
const PLACES = ['box', 'barn', 'tree', 'pond', 'park', 'house', 'field', 'cave'];
const COLOURS = ['red', 'blue', 'green', 'black', 'white', 'pink'];
const OBJECTS = ['ball', 'hat', 'cup', 'kite', 'sock', 'book'];
const WORDS = ['sun', 'moon', 'tree', 'river', 'apple', 'stone', 'cloud', 'garden', 'window', 'pencil'];
const LABELS = 'ABCDEFGH';
const OOD_TEMPLATE_TEXT = [
  'the  is in the . where is the ?',
  'the  has a  . what colour is the  of the ?',
  'which letter comes after ?',
  'which number is the largest?',
  'how many letters are in the word ?',
];

function pickDistinct<T>(rng: Rng, pool: readonly T[], k: number, must: T): T[] {
  const others = shuffle(
    pool.filter((x) => x !== must),
    rng,
  ).slice(0, k - 1);
  return shuffle([must, ...others], rng);
}

function oodItem(rng: Rng, id: string): OodItem {
  const t = Math.floor(rng.uniform() * 5);
  let question: string;
  let choices: string[];
  let correct: string;
  let template: string;
  if (t === 0) {
    const animal = ANIMALS[Math.floor(rng.uniform() * ANIMALS.length)]!;
    correct = PLACES[Math.floor(rng.uniform() * PLACES.length)]!;
    question = `the ${animal} is in the ${correct}. where is the ${animal}?`;
    choices = pickDistinct(rng, PLACES, 4, correct);
    template = 'location';
  } else if (t === 1) {
    const animal = ANIMALS[Math.floor(rng.uniform() * ANIMALS.length)]!;
    const obj = OBJECTS[Math.floor(rng.uniform() * OBJECTS.length)]!;
    correct = COLOURS[Math.floor(rng.uniform() * COLOURS.length)]!;
    question = `the ${animal} has a ${correct} ${obj}. what colour is the ${obj} of the ${animal}?`;
    choices = pickDistinct(rng, COLOURS, 4, correct);
    template = 'colour';
  } else if (t === 2) {
    const i = Math.floor(rng.uniform() * 25);
    correct = LETTERS[i + 1]!;
    question = `which letter comes after ${LETTERS[i]}?`;
    choices = pickDistinct(rng, LETTERS.split(''), 4, correct);
    template = 'successor';
  } else if (t === 3) {
    const nums = shuffle(
      Array.from({ length: 99 }, (_, k) => k + 1),
      rng,
    ).slice(0, 4);
    correct = String(Math.max(...nums));
    question = 'which number is the largest?';
    choices = nums.map(String);
    template = 'largest';
  } else {
    const word = WORDS[Math.floor(rng.uniform() * WORDS.length)]!;
    correct = String(word.length);
    question = `how many letters are in the word ${word}?`;
    const pool = ['2', '3', '4', '5', '6', '7', '8', '9'];
    choices = pickDistinct(rng, pool, 4, correct);
    template = 'count';
  }
  const answerIndex = choices.indexOf(correct);
  return { id, question, choices, answerKey: LABELS[answerIndex]!, answerIndex, template };
}

/**
 * `n` out-of-domain multiple-choice items (templated sentences about locations and colours, letter
 * successors, the largest number, word lengths), lower-case ASCII plus digits and `.?` — unrelated to the
 * training tasks, for per-token NLL of the correct answer and hard-greedy multiple-choice accuracy.
 */
export function oodTextSet(opts: { n: number; seed: Seed }): OodItem[] {
  checkInt('n', opts.n, 0);
  const rng = makeRng(opts.seed);
  return Array.from({ length: opts.n }, (_, k) => oodItem(rng, `ood-${String(opts.seed)}-${k}`));
}

/** Every character the OOD items can contain (for syntheticAlphabet). */
export function oodCharacters(): string {
  return OOD_TEMPLATE_TEXT.join(' ') + ANIMALS.join(' ') + PLACES.join(' ') + COLOURS.join(' ') + OBJECTS.join(' ') + WORDS.join(' ') + LETTERS + '0123456789' + LABELS;
}
