export * from './errors';
export * from './config';
export * from './rope';
export * from './kv-cache';
export * from './transformer';
export * from './model-folder';
export * from './sizes';
export {
  bfloat16BitsToFloat32,
  DTYPE_SIZES,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  INDEX_FILE_NAME,
  SINGLE_FILE_NAME,
  type SafetensorsDtype,
  type WritableDtype,
} from './safetensors-format';
export * from './safetensors-reader';
export * from './safetensors-writer';
export * from './tokenizer';
export * from './hf-tokenizer';
export * from './char-tokenizer';
export * from './backends';
export * from './generate';
export * from './matmul';
export * from './token-logprobs';
export * from './version';
export * from './lora';
export * from './activation-checkpoint';
export * from './peft';
export * from './bf16-weights';
export * from './memory-meter';
export * from './meta-backend';
