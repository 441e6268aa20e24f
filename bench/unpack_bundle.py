"""Unpacks what bench/gpu_bert_bundle.sh made (node.xz, solder.tar.xz) on a machine without Node.js.

python3 bench/unpack_bundle.py BUNDLE_DIR WORK_DIR  ->  WORK_DIR/bin/node and WORK_DIR/solder/
"""
import lzma
import os
import shutil
import sys
import tarfile

bundle, work = sys.argv[1:]
os.makedirs(f"{work}/bin", exist_ok=True)
with lzma.open(f"{bundle}/node.xz") as src, open(f"{work}/bin/node", "wb") as dst:
    shutil.copyfileobj(src, dst)
os.chmod(f"{work}/bin/node", 0o755)
tarfile.open(f"{bundle}/solder.tar.xz").extractall(work)
