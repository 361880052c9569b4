/** One field of a record (a transaction), e.g. the payload field of a valid/ready stream: port `<stream>_<name>`. */
export interface FieldSpec {
  name: string;
  width: number;
  signed: boolean;
}
