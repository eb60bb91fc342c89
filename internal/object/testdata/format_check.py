# Independent implementation of docs/FORMAT.md (objects, shards, encryption,
# key wrapping) in Python; it prints the values of the test vectors there.
# Needs python3 and the "cryptography" package: python3 format_check.py
import hashlib, struct, base64, hmac
from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.asymmetric import ec

def sha(b): return hashlib.sha256(b).digest()
def merkle_id(data):
    L=4096
    chunks=[data[i:i+L] for i in range(0,len(data),L)] or [b""]
    leaves=[sha(b"\x00"+c) for c in chunks]
    def mth(d):
        if len(d)==1: return d[0]
        k=1
        while k*2<len(d): k*=2
        return sha(b"\x01"+mth(d[:k])+mth(d[k:]))
    return sha(b"\x02"+struct.pack(">Q",len(data))+mth(leaves))

# GF(2^8), polynomial 0x11d
EXP=[0]*512; LOG=[0]*256
x=1
for i in range(255):
    EXP[i]=x; LOG[x]=i
    x<<=1
    if x&0x100: x^=0x11d
for i in range(255,512): EXP[i]=EXP[i-255]
def mul(a,b):
    if a==0 or b==0: return 0
    return EXP[LOG[a]+LOG[b]]
def inv(a): return EXP[255-LOG[a]]
def gexp(a,n):
    if n==0: return 1
    if a==0: return 0
    return EXP[(LOG[a]*n)%255]
def matmul(A,B):
    return [[ (lambda r,c: __import__('functools').reduce(lambda s,t: s^t, [mul(A[r][i],B[i][c]) for i in range(len(B))],0))(r,c) for c in range(len(B[0]))] for r in range(len(A))]
def matinv(M):
    n=len(M); A=[row[:]+[1 if i==j else 0 for j in range(n)] for i,row in enumerate(M)]
    for c in range(n):
        p=next(r for r in range(c,n) if A[r][c])
        A[c],A[p]=A[p],A[c]
        iv=inv(A[c][c]); A[c]=[mul(v,iv) for v in A[c]]
        for r in range(n):
            if r!=c and A[r][c]:
                f=A[r][c]; A[r]=[A[r][j]^mul(f,A[c][j]) for j in range(2*n)]
    return [row[n:] for row in A]
def coding_matrix(k,n):
    V=[[gexp(r,c) for c in range(k)] for r in range(n)]
    return matmul(V, matinv(V[:k]))

def shards_of(stored, k, n, B, stored_id, encrypted):
    Lsz=len(stored); S=k*B
    stripes=0 if Lsz==0 else (Lsz-1)//S+1
    M=coding_matrix(k,n)
    blobs=[]
    for i in range(n):
        h=b"AGSH"+bytes([1,1,1 if encrypted else 0,0])+struct.pack(">HHHH",k,n,i,0)+struct.pack(">II",B,0)+struct.pack(">Q",Lsz)+stored_id
        blobs.append(bytearray(h))
    for s in range(stripes):
        off=s*S; data=min(Lsz-off,S)
        b=B if data==S else (data-1)//k+1
        seg=stored[off:off+data]+bytes(k*b-data)
        blocks=[seg[i*b:(i+1)*b] for i in range(k)]
        for r in range(n):
            row=M[r]; out=bytearray(b)
            for i in range(k):
                c=row[i]
                if c==0: continue
                blk=blocks[i]
                for j in range(b): out[j]^=mul(c,blk[j])
            blobs[r]+=out
    return [bytes(x) for x in blobs]

def pattern(n): return bytes((7*i+3)%251 for i in range(n))

# Public vector
data=pattern(20481)
oid=merkle_id(data)
print("public id", oid.hex())
bl=shards_of(data,2,3,4096,oid,False)
print("public shards", [sha(b).hex() for b in bl], len(bl[0]))

# Private vector
key=bytes(range(32)); salt=bytes(0xa0+i for i in range(16)); E=4096
def hk(info): return HKDF(algorithm=hashes.SHA256(),length=32,salt=salt,info=info).derive(key)
kc=hk(b"agi-nostr object chunks v1"); ks=hk(b"agi-nostr object sealed v1")
def padme(L):
    if L<2: return L
    e=L.bit_length()-1; s=e.bit_length(); mask=(1<<(e-s))-1
    return (L+mask)&~mask
pt=pattern(5000); P=padme(len(pt)); padded=pt+bytes(P-len(pt))
nchunks=max(1,(P+E-1)//E)
ct=b""
for c in range(nchunks):
    chunk=padded[c*E:(c+1)*E]
    nonce=struct.pack(">QI",c,1 if c==nchunks-1 else 0)
    ct+=AESGCM(kc).encrypt(nonce,chunk,None)
sid=merkle_id(ct)
print("private padded", P, "stored size", len(ct), "stored id", sid.hex())
print("object id", merkle_id(pt).hex())
sealed=AESGCM(ks).encrypt(bytes(12), merkle_id(pt)+struct.pack(">Q",len(pt)), sid+struct.pack(">Q",len(ct)))
print("sealed", sealed.hex())
bl=shards_of(ct,2,3,4096,sid,True)
print("private shards", [sha(b).hex() for b in bl], len(bl[0]))

# NIP-44 v2 wrap with ephemeral secret and fixed nonce 0x02*32
N=0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141
esk=(int.from_bytes(bytes([1]*40),'big') % (N-1))+1
rsk=(int.from_bytes(bytes([3]*40),'big') % (N-1))+1
print("ephemeral secret %064x" % esk)
epriv=ec.derive_private_key(esk, ec.SECP256K1()); rpriv=ec.derive_private_key(rsk, ec.SECP256K1())
def xonly(priv): return priv.public_key().public_numbers().x.to_bytes(32,'big')
print("ephemeral pub", xonly(epriv).hex(), "recipient pub", xonly(rpriv).hex())
# recipient pubkey as even-y point (x-only: lift with 02 prefix)
def lift(x): return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), b"\x02"+x)
shared=epriv.exchange(ec.ECDH(), lift(xonly(rpriv)))
conv=hmac.new(b"nip44-v2", shared, hashlib.sha256).digest()  # HKDF-extract(salt, ikm)
nonce=bytes([2]*32)
keys=HKDFExpand(algorithm=hashes.SHA256(),length=76,info=nonce).derive(conv)
ck,cn,hk_=keys[:32],keys[32:44],keys[44:]
msg=key.hex().encode()
def padlen(l):
    if l<=32: return 32
    np=1<<((l-1).bit_length()); chunk=max(32,np//8)
    return chunk*((l-1)//chunk+1)
padded_msg=struct.pack(">H",len(msg))+msg+bytes(padlen(len(msg))-len(msg))
enc=Cipher(algorithms.ChaCha20(ck, b"\x00\x00\x00\x00"+cn), mode=None).encryptor().update(padded_msg)
mac=hmac.new(hk_, nonce+enc, hashlib.sha256).digest()
print("wrapped", base64.b64encode(b"\x02"+nonce+enc+mac).decode())
