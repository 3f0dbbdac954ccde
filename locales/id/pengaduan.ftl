pengaduan-title = Pengaduan
pengaduan-kategori = Tentang apa pengaduan Bapak/Ibu? Mohon ketik nomor pilihan.
    .label = Kategori
pengaduan-kategori-pelayanan_publik = Pelayanan di kantor pemerintah (petugas, antrean, biaya)
pengaduan-kategori-infrastruktur = Jalan, lampu jalan, saluran air, sampah, atau pohon tumbang
pengaduan-kategori-air_bersih = Air bersih (PDAM)
pengaduan-kategori-ketertiban = Ketertiban umum (kebisingan, parkir liar)
pengaduan-kategori-lingkungan = Lingkungan (pencemaran, asap, bau)
pengaduan-kategori-kesehatan = Layanan kesehatan
pengaduan-kategori-pendidikan = Pendidikan
pengaduan-kategori-lainnya = Lainnya
pengaduan-isi =
    Mohon ceritakan pengaduan Bapak/Ibu dalam satu pesan: apa yang terjadi, di mana, dan kapan (paling sedikit 30 huruf).
    Contoh: *Pada 20-11-2026 pukul 10.00 di loket Kantor Kecamatan Waru, saya diminta membayar untuk surat pengantar.*
    .label = Isi pengaduan
pengaduan-tanggal_kejadian =
    Kapan kejadiannya? Mohon ketik tanggal-bulan-tahun. Contoh: *20-11-2026*.
    Bila tidak ingat, ketik *lewati*.
    .label = Tanggal kejadian
pengaduan-lokasi =
    Bila kejadiannya di suatu tempat, mohon kirim lokasinya: tekan tombol lampiran (ikon klip), pilih Lokasi, lalu kirim.
    Bila tidak perlu, ketik *lewati*.
    .label = Lokasi
pengaduan-lampiran =
    Bila ada foto pendukung, mohon kirim satu foto yang jelas.
    Bila tidak ada, ketik *lewati*.
    .label = Lampiran
pengaduan-kerahasiaan =
    Bagaimana identitas Bapak/Ibu ditangani? Mohon ketik nomor pilihan.
    - Biasa: nama Bapak/Ibu diteruskan kepada perangkat daerah yang menangani.
    - Rahasia: nama dan nomor Bapak/Ibu tidak diteruskan kepada perangkat daerah.
    - Anonim: nama tidak dicatat; kabar status tetap dikirim ke chat ini.
    .label = Identitas pelapor
pengaduan-kerahasiaan-biasa = Biasa
pengaduan-kerahasiaan-rahasia = Rahasia
pengaduan-kerahasiaan-anonim = Anonim (tanpa nama)
pengaduan-nama = Mohon ketik nama lengkap Bapak/Ibu.
    .label = Nama pelapor
pengaduan-telepon_lain =
    Bila petugas sebaiknya menghubungi Bapak/Ibu di nomor lain selain nomor chat ini, mohon ketik nomornya. Contoh: *0812-3456-7890*.
    Bila tidak ada, ketik *lewati*.
    .label = Nomor telepon lain
pengaduan-ringkasan = Mohon periksa kembali pengaduan berikut:
pengaduan-ke_infrastruktur =
    Laporan tentang jalan, jembatan, lampu jalan, saluran air, sampah, atau pohon tumbang memiliki layanan tersendiri, agar langsung diteruskan ke dinas yang menangani.
    Silakan ketik *lapor infrastruktur* untuk memulai.
