darurat-title = Darurat (112)
darurat-intro =
    Bila ada nyawa yang terancam, segera telepon *112*.
    Panggilan ke 112 gratis dan aktif 24 jam.
    Nomor darurat lain:
    - 110 Polisi
    - 113 Pemadam Kebakaran
    - 115 SAR (Basarnas)
    - 118 atau 119 Ambulans
    Bila Bapak/Ibu juga ingin melapor lewat pesan, mohon jawab pertanyaan berikut. Laporan langsung diteruskan ke petugas.
darurat-lokasi =
    Mohon kirim lokasi kejadian: tekan tombol lampiran (ikon klip), pilih Lokasi, lalu kirim lokasi saat ini.
    Bila tidak bisa, ketik *lewati*, lalu tuliskan alamatnya pada pertanyaan berikutnya.
    .label = Lokasi
darurat-kategori = Apa yang terjadi? Mohon ketik nomor pilihan.
    .label = Kejadian
darurat-kategori-kebakaran = Kebakaran
darurat-kategori-kecelakaan = Kecelakaan
darurat-kategori-bencana = Banjir, longsor, angin kencang, atau pohon tumbang
darurat-kategori-medis = Orang sakit parah, pingsan, atau akan melahirkan
darurat-kategori-kejahatan = Kejahatan atau perkelahian
darurat-kategori-tenggelam_hilang = Orang tenggelam, hanyut, terjebak, atau hilang
darurat-kategori-lainnya = Lainnya
darurat-keterangan =
    Mohon ketik keterangan singkat: apa yang terjadi, berapa orang terdampak, dan alamat atau patokan lokasi.
    Bila tidak sempat, ketik *lewati*.
    .label = Keterangan
