# PyTorch side of test/interop/pytorch.test.ts: reads and writes safetensors files by hand (struct + json
# + torch.frombuffer), so it needs torch only, not the `safetensors` package.
#   check (<weights> <inputs> <outputs>)...  load seqcast's export into nn.LSTM/GRU/RNN + nn.Linear, run inputs['x']
#   make <dir> <cell>...                     per cell, a seeded 2-layer PyTorch model: <dir>/<cell>.safetensors
#                                            (its state_dict) and <dir>/<cell>-io.safetensors (x and y)
# One process handles many files: importing torch takes seconds.
import json
import struct
import sys

import torch


def read(path):
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    data = raw[8 + n:]
    out = {}
    for name, e in header.items():
        assert e['dtype'] == 'F32', f'{name}: dtype {e["dtype"]}'
        b, end = e['data_offsets']
        out[name] = torch.frombuffer(bytearray(data[b:end]), dtype=torch.float32).reshape(e['shape']) if end > b else torch.zeros(e['shape'])
    return out, meta


def write(path, tensors, meta=None):
    header, blobs, offset = {}, [], 0
    if meta:
        header['__metadata__'] = meta
    for name, t in tensors.items():
        b = t.detach().contiguous().to(torch.float32).numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


class Net(torch.nn.Module):
    def __init__(self, cell, input_size, hidden, layers, bidirectional, outputs, nonlinearity='tanh'):
        super().__init__()
        kw = dict(num_layers=layers, batch_first=True, bidirectional=bidirectional)
        if cell == 'lstm':
            self.rnn = torch.nn.LSTM(input_size, hidden, **kw)
        elif cell == 'gru':
            self.rnn = torch.nn.GRU(input_size, hidden, **kw)
        else:
            self.rnn = torch.nn.RNN(input_size, hidden, nonlinearity=nonlinearity, **kw)
        self.head = torch.nn.Linear((2 if bidirectional else 1) * hidden, outputs)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1, :]), out


def check(weights, inputs, outputs):
    sd, meta = read(weights)
    m = json.loads(meta['seqcast.model'])
    net = Net(m['cell'], m['inputSize'], m['hiddenSize'], m['numLayers'], m['bidirectional'], m['heads'][0]['outputs'], m.get('nonlinearity', 'tanh'))
    net.load_state_dict(sd)  # strict: every name and shape must match
    x = read(inputs)[0]['x']
    with torch.no_grad():
        y, out = net(x)
    write(outputs, {'y': y, 'output': out})


def make(directory, cell):
    torch.manual_seed(7)
    net = Net(cell, 3, 5, 2, False, 2)
    x = torch.randn(4, 6, 3)
    with torch.no_grad():
        y, _ = net(x)
    write(f'{directory}/{cell}.safetensors', net.state_dict())
    write(f'{directory}/{cell}-io.safetensors', {'x': x, 'y': y})


if __name__ == '__main__':
    command, args = sys.argv[1], sys.argv[2:]
    if command == 'check':
        for i in range(0, len(args), 3):
            check(*args[i:i + 3])
    else:
        for cell in args[1:]:
            make(args[0], cell)
